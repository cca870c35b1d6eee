"""Service records and accountability: complaints and low ratings open cases; decisions have teeth."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from cheyou_events import Envelope
from cheyou_events.catalogue.privilege import ComplaintFiled, PrivilegeOrderRated
from cheyou_kit.testing import publish

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

API = "/api/v1/merchant-api/orders"


async def completed_order(world: World, privilege: str, merchant: dict[str, Any]) -> dict[str, Any]:
    order = await world.dispatched(privilege)
    headers = world.as_merchant(merchant["id"])
    for action, body in [("accept", {}), ("start", {}), ("complete", {"notes": "ok"})]:
        response = await world.client.post(f"{API}/{order['order_id']}/{action}", json=body, headers=headers)
        assert response.status_code == 200, response.text
    return order


async def complain(world: World, order: dict[str, Any], merchant: dict[str, Any]) -> str:
    complaint_id = f"C{uuid.uuid4().hex[:10]}"
    event = ComplaintFiled(
        complaint_id=complaint_id,
        order_id=order["order_id"],
        member_id=order["member_id"],
        merchant_id=merchant["id"],
        category="no_show",
        filed_at=datetime.now(UTC),
    )
    await publish(world.settings.kafka_bootstrap_servers, Envelope.new(event, source="privilege-svc"))
    return complaint_id


async def rate(world: World, order: dict[str, Any], merchant: dict[str, Any], stars: int) -> None:
    event = PrivilegeOrderRated(
        order_id=order["order_id"],
        member_id=order["member_id"],
        merchant_id=merchant["id"],
        stars=stars,
        comment="态度差" if stars < 3 else "很好",
        rated_at=datetime.now(UTC),
    )
    await publish(world.settings.kafka_bootstrap_servers, Envelope.new(event, source="privilege-svc"))


async def case_of(world: World, merchant_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        page = await world.client.get(
            "/api/v1/accountability", params={"merchant_id": merchant_id}, headers=world.ops
        )
        items: list[dict[str, Any]] = page.json()["items"]
        return items[0] if items else None

    return await world.until(probe)


class TestComplaintFiled:
    async def test_a_complaint_opens_one_case_and_tells_privilege_svc(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order = await completed_order(world, privilege, merchant)

        complaint_id = await complain(world, order, merchant)
        case = await case_of(world, merchant["id"])

        assert (case["complaint_id"], case["status"], case["category"]) == (complaint_id, "open", "no_show")
        event = await world.event("cheyou.merchant.accountability_opened.v1", complaint_id=complaint_id)
        assert event["case_id"] == case["id"]


class TestOrderRated:
    async def test_the_rating_lands_on_the_service_record(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order = await completed_order(world, privilege, merchant)

        await rate(world, order, merchant, 5)

        async def rated() -> dict[str, Any] | None:
            response = await world.client.get(
                f"/api/v1/merchants/{merchant['id']}/service-records/{order['order_id']}", headers=world.ops
            )
            found: dict[str, Any] = response.json()
            return found if found["stars"] == 5 else None

        assert (await world.until(rated))["rating_comment"] == "很好"

    async def test_a_low_rating_opens_a_case(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order = await completed_order(world, privilege, merchant)

        await rate(world, order, merchant, 1)
        case = await case_of(world, merchant["id"])

        assert (case["source"], case["complaint_id"]) == ("rating", f"rating:{order['order_id']}")


class TestDecision:
    async def test_notes_then_a_suspension_stops_new_orders(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege, score=99)
        order = await completed_order(world, privilege, merchant)
        await complain(world, order, merchant)
        case = await case_of(world, merchant["id"])

        note = await world.client.post(
            f"/api/v1/accountability/{case['id']}/notes",
            json={"text": "电话回访会员，确认未到场"},
            headers=world.ops,
        )
        decided = await world.client.post(
            f"/api/v1/accountability/{case['id']}/decision",
            json={"outcome": "suspension", "reason": "repeated no-show"},
            headers=world.ops,
        )
        order_id = await world.request_order(privilege)

        assert note.status_code == 201
        assert decided.json()["outcome"] == "suspension"
        assert decided.json()["decided_by"] == "ops1"
        merchant_now = await world.client.get(f"/api/v1/merchants/{merchant['id']}", headers=world.ops)
        assert merchant_now.json()["status"] == "suspended"
        assert (await world.fulfilment(order_id, status="unplaceable"))["reason"] == "no_contracted_merchant"
        detail = await world.client.get(f"/api/v1/accountability/{case['id']}", headers=world.ops)
        assert [n["text"] for n in detail.json()["notes"]] == ["电话回访会员，确认未到场"]

    async def test_a_penalty_needs_an_amount(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order = await completed_order(world, privilege, merchant)
        await complain(world, order, merchant)
        case = await case_of(world, merchant["id"])

        response = await world.client.post(
            f"/api/v1/accountability/{case['id']}/decision",
            json={"outcome": "penalty", "reason": "late"},
            headers=world.ops,
        )

        assert response.status_code == 422
        assert (await case_of(world, merchant["id"]))["status"] == "open"

    async def test_a_decided_case_cannot_be_decided_again(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order = await completed_order(world, privilege, merchant)
        await complain(world, order, merchant)
        case = await case_of(world, merchant["id"])
        url = f"/api/v1/accountability/{case['id']}/decision"

        first = await world.client.post(
            url, json={"outcome": "warning", "reason": "first"}, headers=world.ops
        )
        second = await world.client.post(url, json={"outcome": "no_fault", "reason": "x"}, headers=world.ops)

        assert (first.status_code, second.status_code) == (200, 409)

    async def test_a_merchant_cannot_decide_its_own_case(self, world: World) -> None:
        response = await world.client.post(
            f"/api/v1/accountability/{uuid.uuid4()}/decision",
            json={"outcome": "no_fault", "reason": "not me"},
            headers=world.as_merchant(uuid.uuid4()),
        )

        assert response.status_code == 403


class TestScorecard:
    async def test_satisfaction_sla_and_complaints_are_computed_from_the_records(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        happy = await completed_order(world, privilege, merchant)
        unhappy = await completed_order(world, privilege, merchant)
        await rate(world, happy, merchant, 5)
        await rate(world, unhappy, merchant, 3)
        await complain(world, unhappy, merchant)

        async def card() -> dict[str, Any] | None:
            response = await world.client.get(
                f"/api/v1/merchants/{merchant['id']}/scorecard", headers=world.as_merchant(merchant["id"])
            )
            found: dict[str, Any] = response.json()
            return found if found["rated"] == 2 and found["complaints"] == 1 else None

        scorecard = await world.until(card)
        assert scorecard["services"] == scorecard["completed"] == 2
        assert scorecard["satisfaction"] == 4.0
        assert scorecard["sla_hit_rate"] == 1.0
        assert scorecard["complaint_rate"] == 0.5
        assert scorecard["score"] == round(0.5 * 75 + 0.3 * 100 + 0.2 * 50, 2)
        stored = await world.client.get(f"/api/v1/merchants/{merchant['id']}", headers=world.ops)
        assert stored.json()["score"] == scorecard["score"]

    async def test_another_merchants_scorecard_is_404(self, world: World) -> None:
        mine, other = await world.merchant(new_privilege()), await world.merchant(new_privilege())

        response = await world.client.get(
            f"/api/v1/merchants/{other['id']}/scorecard", headers=world.as_merchant(mine["id"])
        )

        assert response.status_code == 404
