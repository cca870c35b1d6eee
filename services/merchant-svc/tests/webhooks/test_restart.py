"""Retries are rows in Postgres: a retry scheduled before a restart is sent by the next process."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from cheyou_kit.testing import Identities, app_client, eventually, migrated_database
from merchant_svc.config import Settings
from merchant_svc.main import create_app
from merchant_svc.webhooks import service as webhooks
from merchant_svc.webhooks.schemas import WebhookEventType
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from standardwebhooks.webhooks import Webhook

from ..receiver import Answer, Receiver  # noqa: TID252  (shared test helpers, no package path)
from ..world import FUZHOU, World  # noqa: TID252  (shared test helpers, no package path)

ROOT = Path(__file__).parents[2]


async def delivery_row(sessions: async_sessionmaker[AsyncSession], message_id: str) -> dict[str, Any]:
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT status, attempts FROM webhook_deliveries WHERE message_id = :m"),
                {"m": message_id},
            )
        ).one()
    return {"status": row[0], "attempts": row[1]}


class TestRestart:
    async def test_a_pending_retry_is_delivered_by_the_next_process(
        self, infra: Any, identities: Identities, receiver: Receiver, service_settings: Settings
    ) -> None:
        # A database of its own: the suite's app (and its worker) must not do the work for us.
        url = await migrated_database(infra, ROOT, "merchant_restart")
        settings = service_settings.model_copy(
            update={
                "database_url": url,
                "consumers_enabled": False,
                "seed_demo": False,
                "webhook_retry_schedule_s": [3.0, 1.0],
            }
        )
        engine = create_async_engine(settings.sqlalchemy_url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        hook = receiver.endpoint().answer(Answer(503))

        async with app_client(create_app(settings)) as http:
            world = World(http, identities, settings, sessions)
            merchant = await world.merchant("rescue.towing", city=FUZHOU)
            endpoint = await world.endpoint(merchant["id"], hook.url)
            async with sessions() as session, session.begin():
                message = await webhooks.enqueue(
                    session, uuid.UUID(merchant["id"]), WebhookEventType.ORDER_DISPATCHED, {"order_id": "R1"}
                )
            await eventually(lambda: _attempts(sessions, message.id, 1))
        stopped = await delivery_row(sessions, message.id)
        async with app_client(create_app(settings)):
            await eventually(lambda: _status(sessions, message.id, "succeeded"))
        await engine.dispose()

        assert stopped == {"status": "pending", "attempts": 1}
        first, second = hook.received
        assert first.headers["webhook-id"] == second.headers["webhook-id"] == message.id
        assert second.at - first.at >= 3.0 * (1 - settings.webhook_retry_jitter)  # the schedule held
        Webhook(endpoint["secret"]).verify(second.body, second.headers)


async def _attempts(sessions: async_sessionmaker[AsyncSession], message_id: str, n: int) -> bool | None:
    return True if (await delivery_row(sessions, message_id))["attempts"] >= n else None


async def _status(sessions: async_sessionmaker[AsyncSession], message_id: str, status: str) -> bool | None:
    return True if (await delivery_row(sessions, message_id))["status"] == status else None
