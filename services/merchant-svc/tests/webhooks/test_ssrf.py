"""Webhook SSRF by DNS rebinding (security issue 17, Medium 5): a merchant's host name that answered a public
address when the URL was saved and answers 127.0.0.1 or the cloud metadata address when the webhook is
sent is refused at send time, and nothing reaches the internal address; what a merchant answers is kept
only as a short, cleaned excerpt."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cheyou_kit.testing import Identities, app_client, eventually, migrated_database
from merchant_svc.config import Settings
from merchant_svc.main import create_app
from merchant_svc.webhooks import service as webhooks
from merchant_svc.webhooks.schemas import WebhookEventType
from merchant_svc.webhooks.transport import PinnedTransport, refused
from merchant_svc.webhooks.url_policy import AddressPolicy, Destinations
from merchant_svc.webhooks.worker import sanitised
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from ..receiver import Answer, Receiver  # noqa: TID252  (shared test helpers, no package path)
from ..resolver import ScriptedResolver  # noqa: TID252  (shared test helpers, no package path)
from ..world import FUZHOU, World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

ROOT = Path(__file__).parents[2]
PUBLIC = "93.184.216.34"
NAME = "hooks.rebinding.test"


def _on_name(url: str) -> str:
    """The receiver's URL with the attacker's host name in place of 127.0.0.1."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{NAME}:{parts.port}").geturl()


async def attempts(sessions: async_sessionmaker[AsyncSession], message_id: str) -> list[dict[str, Any]]:
    async with sessions() as session:
        rows = await session.execute(
            text(
                "SELECT status_code, error, response_excerpt FROM webhook_attempts "
                "WHERE message_id = :m ORDER BY attempt_no"
            ),
            {"m": message_id},
        )
    return [dict(r._mapping) for r in rows]


class TestDnsRebinding:
    @pytest.mark.parametrize(
        ("internal", "why"), [("127.0.0.1", "loopback"), ("169.254.169.254", "metadata")]
    )
    async def test_a_name_that_turns_internal_after_it_was_saved_is_refused_at_send_time(
        self,
        infra: Any,
        identities: Identities,
        receiver: Receiver,
        service_settings: Settings,
        internal: str,
        why: str,
    ) -> None:
        # Production settings (no private network allowed) on a database of their own, so the suite's
        # app (which allows loopback for its receiver) never sees this delivery.
        url = await migrated_database(infra, ROOT, "merchant_ssrf")
        settings = service_settings.model_copy(
            update={
                "database_url": url,
                "consumers_enabled": False,
                "seed_demo": False,
                "webhook_allowed_networks": [],
                "webhook_retry_schedule_s": [60.0],
            }
        )
        engine = create_async_engine(settings.sqlalchemy_url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        resolver = ScriptedResolver({NAME: [PUBLIC]})
        hook = receiver.endpoint()

        async with app_client(create_app(settings, resolver=resolver)) as http:
            world = World(http, identities, settings, sessions)
            merchant = await world.merchant(new_privilege(), city=FUZHOU)
            saved = await world.endpoint(merchant["id"], _on_name(hook.url))  # public when saved
            resolver.answers[NAME] = [internal]  # the attacker's DNS now answers an internal address
            async with sessions() as session, session.begin():
                message = await webhooks.enqueue(
                    session, uuid.UUID(merchant["id"]), WebhookEventType.ORDER_DISPATCHED, {"order_id": "X1"}
                )

            [attempt] = await eventually(lambda: _some(attempts(sessions, message.id)))
        await engine.dispose()

        assert saved["url"].startswith(f"http://{NAME}:")
        assert attempt["status_code"] is None
        assert attempt["error"].startswith(f"refused: {NAME} resolves to {internal}")
        assert why in attempt["error"]
        assert hook.received == []  # nothing reached the receiver listening on 127.0.0.1

    async def test_saving_a_name_that_resolves_internal_is_422_naming_the_field(
        self, world: World, service_settings: Settings
    ) -> None:
        # The suite's database, served by a second app with production settings and nothing running beside.
        settings = service_settings.model_copy(
            update={
                "webhook_allowed_networks": [],
                "seed_demo": False,
                "consumers_enabled": False,
                "delivery_worker_enabled": False,
                "accept_deadline_worker_enabled": False,
            }
        )
        resolver = ScriptedResolver({NAME: [PUBLIC, "10.0.0.7"]})
        merchant = await world.merchant(new_privilege(), city=FUZHOU)

        async with app_client(create_app(settings, resolver=resolver)) as http:
            response = await http.post(
                "/api/v1/webhook-endpoints",
                json={"merchant_id": merchant["id"], "url": f"https://{NAME}/hooks"},
                headers=world.ops,
            )

        assert response.status_code == 422
        assert response.json()["field"] == "url"
        assert "10.0.0.7 (a private address)" in response.json()["detail"]


class TestPinnedTransport:
    async def test_the_connection_goes_to_the_address_checked_with_the_merchants_host_name(
        self, receiver: Receiver
    ) -> None:
        resolver = ScriptedResolver({NAME: ["127.0.0.1"]})
        hook = receiver.endpoint()
        transport = PinnedTransport(
            Destinations(AddressPolicy(["127.0.0.0/8"]), resolver), limits=httpx.Limits()
        )

        async with httpx.AsyncClient(transport=transport) as http:
            response = await http.post(_on_name(hook.url), content=b"{}")

        assert response.status_code == 200
        [request] = hook.received
        assert request.headers["host"] == f"{NAME}:{urlsplit(hook.url).port}"
        assert resolver.asked == [NAME]  # resolved once, by the transport, for the connection

    async def test_a_name_resolving_to_loopback_is_never_connected_to_in_production(
        self, receiver: Receiver
    ) -> None:
        hook = receiver.endpoint()
        transport = PinnedTransport(
            Destinations(AddressPolicy(), ScriptedResolver({NAME: ["127.0.0.1"]})), limits=httpx.Limits()
        )

        async with httpx.AsyncClient(transport=transport) as http:
            with pytest.raises(httpx.ConnectError) as failed:
                await http.post(_on_name(hook.url), content=b"{}")

        assert refused(failed.value)
        assert hook.received == []


class TestResponseExcerpt:
    async def test_a_merchants_answer_is_kept_short_and_without_control_characters(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        noisy = b"\x1b[31mred\x1b[0m\x00 <b>\r\n\r\nsecret-ish</b>\t" + b"A" * 10_000
        hook = receiver.endpoint().answer(Answer(500, body=noisy))
        await world.endpoint(merchant["id"], hook.url)

        await world.request_order(privilege)
        [excerpt] = await eventually(lambda: _excerpts_of(world, hook))

        limit = world.settings.webhook_response_excerpt_chars
        assert len(excerpt) == limit
        assert excerpt.startswith("[31mred[0m <b> secret-ish</b> AAA")
        assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in excerpt)

    def test_sanitised_drops_control_format_and_private_use_characters(self) -> None:
        assert sanitised("a\u202eb\u200bc\ue000d\x07e\n\n f", 100) == "abcde f"
        assert sanitised("长文本" * 10, 5) == "长文本长文"


async def _some(rows: Any) -> list[dict[str, Any]] | None:
    found: list[dict[str, Any]] = await rows
    return found or None


async def _excerpts_of(world: World, hook: Any) -> list[str] | None:
    if not hook.received:
        return None
    async with world.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT a.response_excerpt FROM webhook_attempts a "
                "JOIN webhook_endpoints e ON e.id = a.endpoint_id WHERE e.url = :url"
            ),
            {"url": hook.url},
        )
    found = [r[0] for r in rows]
    return found or None
