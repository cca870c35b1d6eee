"""Dispatch: a requested order goes to the best eligible merchant, or is declared unplaceable."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from ..receiver import Receiver  # noqa: TID252  (shared test helpers, no package path)
from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)


class TestOrderRequested:
    async def test_the_order_goes_to_the_higher_scored_merchant_not_the_first_found(
        self, world: World
    ) -> None:
        privilege = new_privilege()
        await world.merchant(privilege, score=60)
        best = await world.merchant(privilege, score=95)
        await world.merchant(privilege, score=70)

        found = await world.dispatched(privilege)

        assert found["merchant_id"] == best["id"]
        assert found["unit_price_fen"] == 5000
        assert found["accept_due_at"] is not None

    async def test_a_busy_merchant_loses_to_an_idle_one(self, world: World) -> None:
        privilege = new_privilege()
        busy = await world.merchant(privilege, score=90, max_open_orders=2)
        idle = await world.merchant(privilege, score=60, max_open_orders=2)

        first = await world.dispatched(privilege)
        second = await world.dispatched(privilege)

        assert (first["merchant_id"], second["merchant_id"]) == (busy["id"], idle["id"])

    async def test_a_redelivered_request_is_dispatched_once(self, world: World) -> None:
        privilege = new_privilege()
        await world.merchant(privilege)
        order_id = f"O{uuid.uuid4().hex[:12]}"
        event = world.order_request(privilege, order_id=order_id)

        await world.publish(event, event)
        await world.fulfilment(order_id, status="dispatched")
        await world.request_order(privilege)  # a later event, so the duplicate has surely been consumed
        listed = await world.client.get(
            "/api/v1/webhook-messages", params={"order_id": order_id}, headers=world.ops
        )

        assert len(listed.json()["items"]) == 1

    async def test_the_members_details_travel_with_the_order(self, world: World) -> None:
        privilege = new_privilege()
        await world.merchant(privilege)

        found = await world.dispatched(privilege, flight_no="MF8101", vehicle_plate="闽A88888")

        assert found["details"]["flight_no"] == "MF8101"
        assert found["details"]["vehicle_plate"] == "闽A88888"

    async def test_without_a_contracted_merchant_the_order_is_unplaceable(self, world: World) -> None:
        order_id = await world.request_order(new_privilege())

        found = await world.fulfilment(order_id, status="unplaceable")

        assert found["reason"] == "no_contracted_merchant"
        event = await world.event("cheyou.merchant.order_unplaceable.v1", order_id=order_id)
        assert event["reason"] == "no_contracted_merchant"

    async def test_a_suspended_merchant_gets_no_new_orders(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege, score=99)
        other = await world.merchant(privilege, score=10)
        await world.set_status(merchant["id"], "suspended")

        found = await world.dispatched(privilege)

        assert found["merchant_id"] == other["id"]

    async def test_a_merchant_whose_endpoints_are_all_disabled_is_unreachable(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        endpoint = await world.endpoint(merchant["id"], receiver.endpoint().url)
        await world.client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/disable", headers=world.ops)

        order_id = await world.request_order(privilege)
        found = await world.fulfilment(order_id, status="unplaceable")

        assert found["reason"] == "merchant_unreachable"

    async def test_merchants_at_capacity_leave_the_order_unplaceable(self, world: World) -> None:
        privilege = new_privilege()
        await world.merchant(privilege, max_open_orders=1)
        await world.dispatched(privilege)

        order_id = await world.request_order(privilege)
        found = await world.fulfilment(order_id, status="unplaceable")

        assert found["reason"] == "at_capacity"


class TestOrderCancelled:
    async def test_a_cancelled_order_is_stopped_and_the_merchant_told(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint()
        await world.endpoint(merchant["id"], hook.url)
        found = await world.dispatched(privilege)

        await world.cancel_order(found["order_id"], found["member_id"])
        await world.fulfilment(found["order_id"], status="cancelled")

        async def two_webhooks() -> bool | None:
            return True if len(hook.received) == 2 else None

        await world.until(two_webhooks)
        assert [r.body.startswith(b'{"type":"order.cancelled"') for r in hook.received] == [False, True]

    async def test_a_cancellation_that_overtakes_its_request_keeps_the_order_from_any_merchant(
        self, world: World, receiver: Receiver
    ) -> None:
        # The request failed once and waited on the retry topic while the member cancelled.
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint()
        await world.endpoint(merchant["id"], hook.url)
        order_id, member_id = f"O{uuid.uuid4().hex[:12]}", str(uuid.uuid4())

        await world.publish(
            world.order_cancellation(order_id, member_id),
            world.order_request(privilege, order_id=order_id, member_id=member_id),
        )
        found = await world.fulfilment(order_id)
        later = await world.dispatched(privilege)  # consumed after the request, so it was handled

        assert (found["status"], found["reason"], found["merchant_id"]) == (
            "cancelled",
            "plans changed",
            None,
        )
        assert [step["action"] for step in found["history"]] == ["cancelled"]
        listed = await world.client.get(
            "/api/v1/webhook-messages", params={"order_id": order_id}, headers=world.ops
        )
        assert listed.json()["items"] == []
        assert later["merchant_id"] == merchant["id"]
        async with world.sessions() as session:
            kept = await session.scalar(
                text("SELECT count(*) FROM early_cancellations WHERE order_id = :id"), {"id": order_id}
            )
        assert kept == 0  # the request used the cancellation up


class TestGetFulfilment:
    async def test_members_cannot_read_fulfilments(self, world: World) -> None:
        response = await world.client.get("/api/v1/fulfilments/O1", headers=world.as_member(uuid.uuid4()))

        assert response.status_code == 403

    async def test_an_unknown_order_is_404(self, world: World) -> None:
        response = await world.client.get("/api/v1/fulfilments/nope", headers=world.ops)

        assert response.status_code == 404
