"""The accept deadline: an order not accepted within the contract's window goes to the next merchant."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cheyou_events.catalogue.privilege import PrivilegeOrderRequested
from cheyou_kit.testing import Identities, app_client, migrated_database
from merchant_svc.config import Settings
from merchant_svc.fulfilments import service
from merchant_svc.fulfilments.jobs import accept_deadlines
from merchant_svc.main import create_app
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from ..receiver import Receiver  # noqa: TID252  (shared test helpers, no package path)
from ..world import FUZHOU, World, new_privilege, settle  # noqa: TID252

ROOT = Path(__file__).parents[2]

API = "/api/v1/merchant-api/orders"


async def lapse(world: World, order_id: str) -> None:
    """Let the accept window pass (the contract's shortest window is a minute)."""
    async with world.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE fulfilments SET accept_due_at = now() - interval '1 second' WHERE order_id = :id"),
            {"id": order_id},
        )


async def history(world: World, order_id: str) -> list[dict[str, Any]]:
    response = await world.client.get(f"/api/v1/fulfilments/{order_id}", headers=world.ops)
    found: list[dict[str, Any]] = response.json()["history"]
    return found


async def misses(world: World, order_id: str) -> list[str]:
    async with world.sessions() as session:
        rows = await session.execute(
            text("SELECT merchant_id::text FROM sla_misses WHERE order_id = :id"), {"id": order_id}
        )
        return list(rows.scalars())


class TestMissedAcceptDeadline:
    async def test_the_order_goes_to_the_next_merchant_and_the_miss_is_recorded(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        slow = await world.merchant(privilege, score=90)
        hook = receiver.endpoint()
        await world.endpoint(slow["id"], hook.url)
        nextbest = await world.merchant(privilege, score=50)
        order_id = (await world.dispatched(privilege))["order_id"]
        assert (await world.fulfilment(order_id))["merchant_id"] == slow["id"]

        await lapse(world, order_id)

        async def moved() -> dict[str, Any] | None:
            found = await world.fulfilment(order_id)
            return found if found["merchant_id"] == nextbest["id"] else None

        fulfilment = await world.until(moved)
        assert (fulfilment["status"], fulfilment["expired_for"]) == ("dispatched", [slow["id"]])
        assert await misses(world, order_id) == [slow["id"]]
        assert [(h["action"], h["merchant_id"]) for h in fulfilment["history"]] == [
            ("dispatched", slow["id"]),
            ("accept_deadline_missed", slow["id"]),
            ("dispatched", nextbest["id"]),
        ]
        scorecard = await world.client.get(f"/api/v1/merchants/{slow['id']}/scorecard", headers=world.ops)
        assert scorecard.json()["accept_misses"] == 1
        assert scorecard.json()["sla_hit_rate"] == 0
        late = await world.client.post(
            f"{API}/{order_id}/accept", json={}, headers=world.as_merchant(slow["id"])
        )
        assert late.status_code == 409
        assert late.json()["status_now"] == "expired"

        async def cancellation() -> dict[str, Any] | None:
            bodies = [json.loads(r.body) for r in hook.received]
            return next((b for b in bodies if b["type"] == "order.cancelled"), None)

        cancelled = await world.until(cancellation)
        assert cancelled["data"] == {
            "order_id": order_id,
            "reason": "accept_deadline_missed",
            "cancelled_at": cancelled["data"]["cancelled_at"],
        }

    async def test_with_no_merchant_left_the_order_is_unplaceable_for_that_reason(self, world: World) -> None:
        privilege = new_privilege()
        only = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]

        await lapse(world, order_id)

        event = await world.event("cheyou.merchant.order_unplaceable.v1", order_id=order_id)
        assert event["reason"] == "accept_deadline_missed"
        fulfilment = await world.fulfilment(order_id, status="unplaceable")
        assert fulfilment["expired_for"] == [only["id"]]

    async def test_an_order_accepted_in_time_stays(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege, score=90)
        await world.merchant(privilege, score=50)
        order_id = (await world.dispatched(privilege))["order_id"]
        accepted = await world.client.post(
            f"{API}/{order_id}/accept", json={}, headers=world.as_merchant(merchant["id"])
        )
        assert accepted.status_code == 200

        await lapse(world, order_id)
        await accept_deadlines(world.settings, world.sessions).run_once()

        fulfilment = await world.fulfilment(order_id)
        assert (fulfilment["status"], fulfilment["merchant_id"]) == ("accepted", merchant["id"])
        assert await misses(world, order_id) == []

    async def test_workers_running_at_once_handle_each_miss_once(self, world: World) -> None:
        privilege = new_privilege()
        await world.merchant(privilege, score=90)
        await world.merchant(privilege, score=80)
        third = await world.merchant(privilege, score=70)
        order_id = (await world.dispatched(privilege))["order_id"]
        workers = [accept_deadlines(world.settings, world.sessions) for _ in range(3)]

        await lapse(world, order_id)
        await asyncio.gather(*(w.run_once() for w in workers))  # beside the app's own worker

        async def moved() -> dict[str, Any] | None:
            found = await world.fulfilment(order_id)
            return found if len(found["expired_for"]) == 1 else None

        await world.until(moved)
        await asyncio.gather(*(w.run_once() for w in workers))  # and again: nothing is overdue now
        steps = [h["action"] for h in await history(world, order_id)]
        assert steps == ["dispatched", "accept_deadline_missed", "dispatched"]
        assert len(await misses(world, order_id)) == 1
        assert (await world.fulfilment(order_id))["merchant_id"] != third["id"]


class TestAcrossRestarts:
    async def test_a_deadline_that_passed_while_no_job_ran_is_handled_by_the_next_process(
        self, infra: Any, identities: Identities, service_settings: Settings
    ) -> None:
        # A database of its own: the suite's app (and its job) must not do the work for us.
        url = await migrated_database(infra, ROOT, "merchant_deadline_restart")
        settings = service_settings.model_copy(
            update={"database_url": url, "consumers_enabled": False, "seed_demo": False}
        )
        engine = create_async_engine(settings.sqlalchemy_url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        privilege = new_privilege()
        order = PrivilegeOrderRequested(
            order_id=f"O{uuid.uuid4().hex[:12]}",
            member_id=str(uuid.uuid4()),
            privilege_id=privilege,
            price_fen=0,
            points_held=0,
            city_code=FUZHOU,
            requested_at=datetime.now(UTC),
        )

        stopped = settings.model_copy(update={"accept_deadline_worker_enabled": False})
        async with app_client(create_app(stopped)) as http:
            world = World(http, identities, stopped, sessions)
            first = await world.merchant(privilege, score=90)
            second = await world.merchant(privilege, score=50)
            async with sessions() as session, session.begin():
                await service.record_request(session, order)
            await lapse(world, order.order_id)
            await settle(1.0)  # no job in this process: the order stays with the first merchant
            assert (await world.fulfilment(order.order_id))["merchant_id"] == first["id"]

        async with app_client(create_app(settings)) as http:
            world = World(http, identities, settings, sessions)

            async def moved() -> dict[str, Any] | None:
                found = await world.fulfilment(order.order_id)
                return found if found["merchant_id"] == second["id"] else None

            fulfilment = await world.until(moved)
        await engine.dispose()

        assert fulfilment["expired_for"] == [first["id"]]
