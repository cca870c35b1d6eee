"""A push about a member whose contact is not known yet waits for ``member.contact_changed``.

``member.events`` and ``privilege.events`` are consumed independently: the welcome points of a member just
verified may be handled before the contact member-svc emitted in the same transaction. The message is
held (``waiting_for_contact``), released once when the contact comes, or expires as ``undeliverable``.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cheyou_events import event_outbox
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.audience import service as audience
from notify_svc.config import Settings
from notify_svc.delivery import service as delivery
from notify_svc.delivery.service import Notice
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Fakes, until_known
from tests.factories import (
    contact,
    contact_changed,
    entitlements,
    member_id,
    openid,
    phone,
    points_credited,
    points_expiring,
    profile,
)
from tests.reminders.helpers import inbox

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # long before the app's own messages of this run
WAIT = timedelta(hours=24)


async def _log(client: httpx.AsyncClient, identities: Identities, member: str) -> list[dict[str, Any]]:
    ops = identities.headers("notify-svc", Role.OPS)
    items: list[dict[str, Any]] = (
        await client.get(f"/api/v1/audience/{member}/messages", headers=ops)
    ).json()["items"]
    return items


async def _held(client: httpx.AsyncClient, identities: Identities, member: str) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        log = await _log(client, identities, member)
        return log if log and log[0]["status"] == "waiting_for_contact" else None

    return await eventually(probe)


async def _wechat(fakes: Fakes, touser: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        await fakes.wechat.get("/_fake/messages", params={"touser": touser})
    ).json()["items"]
    return items


async def _sms(fakes: Fakes, number: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await fakes.sms.get("/_fake/messages", params={"phone": number})).json()[
        "items"
    ]
    return items


async def _settled(client: httpx.AsyncClient, identities: Identities, member: str) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        log = await _log(client, identities, member)
        return log if log and all(m["status"] in ("sent", "delivered") for m in log) else None

    return await eventually(probe)


async def _projected(
    client: httpx.AsyncClient, identities: Identities, member: str, region_code: str
) -> None:
    """Wait until ``member.events`` was read up to a profile carrying ``region_code``."""
    ops = identities.headers("notify-svc", Role.OPS)

    async def probe() -> bool | None:
        response = await client.get(f"/api/v1/audience/{member}", headers=ops)
        return (response.status_code == 200 and response.json()["region_code"] == region_code) or None

    await eventually(probe)


class TestHeldUntilTheContactComes:
    async def test_points_before_the_contact_go_out_once_on_wechat_when_it_comes(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        bootstrap = service_settings.kafka_bootstrap_servers
        member, wx_user, number = member_id(), openid(), phone()
        await publish(bootstrap, points_credited(member, 200, 200))
        [held] = await _held(client, identities, member)
        assert held["template_code"] == "points_credited"
        assert held["attempts"] == 0
        assert [i["title"] for i in await inbox(client, identities, member)] == ["积分到账"]

        verified_contact = contact(member, wx_user, number)
        await publish(bootstrap, verified_contact)

        [message] = await _settled(client, identities, member)
        assert message["channel"] == "wechat"
        sent = await _wechat(fakes, wx_user)
        assert [m["template_id"] for m in sent] == ["TPL_POINTS_CREDITED"]
        assert sent[0]["data"]["number1"] == {"value": "200"}

        # The same contact event redelivered, and member-svc announcing the same contact again.
        again = contact(member, wx_user, number)
        await publish(bootstrap, verified_contact, again, profile(member, region_code="350100"))
        await _projected(client, identities, member, "350100")

        log = await _log(client, identities, member)
        assert [(m["channel"], m["status"], m["attempts"]) for m in log] == [("wechat", "sent", 1)]
        assert len(await _wechat(fakes, wx_user)) == 1
        assert await _sms(fakes, number) == []

    async def test_a_contact_with_a_phone_only_gets_the_held_message_by_sms(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        bootstrap = service_settings.kafka_bootstrap_servers
        member, number = member_id(), phone()
        await publish(bootstrap, entitlements(member, "免费洗车"))
        await _held(client, identities, member)

        await publish(bootstrap, contact(member, None, number))

        [message] = await _settled(client, identities, member)
        assert message["channel"] == "sms"
        assert {a["channel"] for a in message["log"]} == {"sms"}  # no WeChat attempt without an openid
        texts = await _sms(fakes, number)
        assert [t["template_code"] for t in texts] == ["SMS_ENTITLEMENTS_CHANGED"]

    async def test_a_member_who_switched_every_push_channel_off_is_not_held(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        bootstrap = service_settings.kafka_bootstrap_servers
        member, wx_user = member_id(), openid()
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        put = await client.put(
            f"/api/v1/preferences/{member}",
            headers=headers,
            json={"channels": {"reminder": {"wechat": False, "sms": False}}},
        )
        assert put.status_code == 200
        await publish(bootstrap, points_expiring(member, 300, datetime(2026, 12, 31, 15, 59, tzinfo=UTC)))

        async def in_inbox() -> list[dict[str, Any]] | None:
            return await inbox(client, identities, member) or None

        assert [i["title"] for i in await eventually(in_inbox)] == ["积分即将过期"]
        assert await _log(client, identities, member) == []

        await publish(bootstrap, contact(member, wx_user, phone()))
        await until_known(client, identities, member)
        assert await _log(client, identities, member) == []
        assert await _wechat(fakes, wx_user) == []

    async def test_a_channel_switched_off_while_held_is_respected_at_release(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, fakes: Fakes
    ) -> None:
        bootstrap = service_settings.kafka_bootstrap_servers
        member, wx_user, number = member_id(), openid(), phone()
        await publish(bootstrap, points_expiring(member, 120, datetime(2027, 3, 31, 15, 59, tzinfo=UTC)))
        await _held(client, identities, member)
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        put = await client.put(
            f"/api/v1/preferences/{member}",
            headers=headers,
            json={"channels": {"reminder": {"wechat": False}}},
        )
        assert put.status_code == 200

        await publish(bootstrap, contact(member, wx_user, number))

        [message] = await _settled(client, identities, member)
        assert message["channel"] == "sms"
        assert [t["template_code"] for t in await _sms(fakes, number)] == ["SMS_POINTS_EXPIRING"]
        assert await _wechat(fakes, wx_user) == []

    async def test_a_known_member_without_wechat_is_not_held(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        """A contact with a phone only is known: a WeChat-only notice is not waited on."""
        bootstrap = service_settings.kafka_bootstrap_servers
        member = member_id()
        await publish(bootstrap, contact(member, None, phone()))
        await until_known(client, identities, member)
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        put = await client.put(
            f"/api/v1/preferences/{member}", headers=headers, json={"channels": {"reminder": {"sms": False}}}
        )
        assert put.status_code == 200
        await publish(bootstrap, points_expiring(member, 50, datetime(2027, 6, 30, 15, 59, tzinfo=UTC)))

        async def in_inbox() -> list[dict[str, Any]] | None:
            return await inbox(client, identities, member) or None

        await eventually(in_inbox)
        assert await _log(client, identities, member) == []


class TestHeldMessages:
    async def test_a_message_held_past_the_window_is_undeliverable_and_reported(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        notice = Notice(member, "points_credited", f"points:{uuid.uuid4()}", {"points": 10, "balance": 10})
        assert await delivery.notify(session, notice, NOW, service_settings) == "held"

        await delivery.expire_held(session, NOW + WAIT - timedelta(seconds=1), WAIT)
        assert await _statuses(session, member) == [("waiting_for_contact", None)]

        assert await delivery.expire_held(session, NOW + WAIT, WAIT) >= 1
        assert await _statuses(session, member) == [("undeliverable", "no_contact")]
        [reported] = (
            await session.execute(
                select(event_outbox.c.type, event_outbox.c.payload).where(
                    event_outbox.c.payload["member_id"].astext == member
                )
            )
        ).all()
        assert reported.type == "cheyou.notify.message_failed.v1"
        assert reported.payload["error_code"] == "no_contact"
        assert reported.payload["will_retry"] is False

    async def test_a_contact_after_expiry_sends_nothing(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        notice = Notice(member, "points_credited", f"points:{uuid.uuid4()}", {"points": 10, "balance": 10})
        assert await delivery.notify(session, notice, NOW, service_settings) == "held"
        await delivery.expire_held(session, NOW + WAIT, WAIT)

        await audience.record_contact(
            session, contact_changed(member, openid(), phone()), service_settings.pii_cipher
        )
        assert await delivery.release_held(session, member, NOW + WAIT, service_settings.delivery_rules) == 0
        assert await _statuses(session, member) == [("undeliverable", "no_contact")]

    async def test_the_same_notice_while_held_is_held_once(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        notice = Notice(member, "points_credited", f"points:{uuid.uuid4()}", {"points": 10, "balance": 10})
        assert await delivery.notify(session, notice, NOW, service_settings) == "held"
        assert await delivery.notify(session, notice, NOW, service_settings) == "duplicate"

        await audience.record_contact(
            session, contact_changed(member, openid(), None), service_settings.pii_cipher
        )
        assert await delivery.release_held(session, member, NOW, service_settings.delivery_rules) == 1
        assert await delivery.release_held(session, member, NOW, service_settings.delivery_rules) == 0
        assert await _statuses(session, member) == [("pending", None)]

    async def test_a_contact_that_could_not_see_the_held_message_is_caught_by_the_sweep(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        """The notice's transaction committed its held message after the contact's had looked for it."""
        member = member_id()
        notice = Notice(member, "points_credited", f"points:{uuid.uuid4()}", {"points": 10, "balance": 10})
        assert await delivery.notify(session, notice, NOW, service_settings) == "held"
        await audience.record_contact(
            session, contact_changed(member, None, phone()), service_settings.pii_cipher
        )

        assert await delivery.release_reachable(session, NOW, service_settings.delivery_rules) >= 1
        rows = await session.execute(
            text("SELECT channel, status FROM messages WHERE member_id = :m"), {"m": member}
        )
        assert [tuple(r) for r in rows.all()] == [("sms", "pending")]

    async def test_a_member_still_without_an_address_keeps_waiting(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        notice = Notice(member, "points_credited", f"points:{uuid.uuid4()}", {"points": 10, "balance": 10})
        assert await delivery.notify(session, notice, NOW, service_settings) == "held"

        await audience.record_contact(
            session, contact_changed(member, None, None), service_settings.pii_cipher
        )
        assert await delivery.release_held(session, member, NOW, service_settings.delivery_rules) == 0
        assert await _statuses(session, member) == [("waiting_for_contact", None)]


async def _statuses(session: AsyncSession, member: str) -> list[tuple[str, str | None]]:
    rows = await session.execute(
        text("SELECT status, error FROM messages WHERE member_id = :m ORDER BY created_at"), {"m": member}
    )
    return [(status, error) for status, error in rows.all()]
