"""The merchant API: callbacks drive the order through an enforced, idempotent state machine."""

from __future__ import annotations

from typing import Any

import httpx

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

API = "/api/v1/merchant-api/orders"


async def call(
    world: World, merchant: dict[str, Any], order_id: str, action: str, **body: Any
) -> httpx.Response:
    return await world.client.post(
        f"{API}/{order_id}/{action}", json=body, headers=world.as_merchant(merchant["id"])
    )


class TestLifecycle:
    async def test_accept_arrive_start_complete_emits_what_privilege_svc_follows(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order = await world.dispatched(privilege)
        order_id = order["order_id"]

        steps: list[tuple[str, dict[str, Any]]] = [
            ("accept", {"appointment_at": "2026-11-25T22:00:00+08:00"}),
            ("arrive", {}),
            ("start", {}),
            ("complete", {"notes": "代驾送达", "photos": ["https://img.example/1.jpg"]}),
        ]
        for action, body in steps:
            response = await call(world, merchant, order_id, action, **body)
            assert response.status_code == 200, response.text

        assert response.json()["status"] == "completed"
        assert response.json()["evidence"] == {"notes": "代驾送达", "photos": ["https://img.example/1.jpg"]}
        accepted = await world.event("cheyou.merchant.order_accepted.v1", order_id=order_id)
        assert accepted["merchant_id"] == merchant["id"]
        await world.event("cheyou.merchant.order_in_service.v1", order_id=order_id)
        completed = await world.event("cheyou.merchant.order_completed.v1", order_id=order_id)
        record = await world.client.get(
            f"/api/v1/merchants/{merchant['id']}/service-records/{order_id}", headers=world.ops
        )
        assert record.json()["id"] == completed["service_record_id"]
        assert record.json()["accept_sla_met"] is True

    async def test_a_failed_service_is_recorded_with_its_reason(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]
        await call(world, merchant, order_id, "accept")

        response = await call(world, merchant, order_id, "fail", reason="车辆不在约定地点")

        assert response.json()["status"] == "failed"
        event = await world.event("cheyou.merchant.order_failed.v1", order_id=order_id)
        assert event["reason"] == "车辆不在约定地点"


class TestStateMachine:
    async def test_completing_an_order_never_accepted_is_a_409_and_changes_nothing(
        self, world: World
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]

        response = await call(world, merchant, order_id, "complete", notes="done")

        assert response.status_code == 409
        assert response.json()["type"].endswith("illegal-order-transition")
        assert (await world.fulfilment(order_id))["status"] == "dispatched"

    async def test_a_repeated_callback_is_answered_the_same_and_emits_once(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]

        first = await call(world, merchant, order_id, "accept")
        again = await call(world, merchant, order_id, "accept")
        await call(world, merchant, order_id, "start")
        late = await call(world, merchant, order_id, "accept")

        assert first.status_code == again.status_code == late.status_code == 200
        assert first.json()["accepted_at"] == again.json()["accepted_at"]
        await world.event("cheyou.merchant.order_in_service.v1", order_id=order_id)
        assert len(await world.events("cheyou.merchant.order_accepted.v1", order_id=order_id)) == 1

    async def test_incomplete_evidence_is_refused_naming_the_field(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]

        response = await call(world, merchant, order_id, "complete", photos=["not a url"])

        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"body.notes", "body.photos.0"}


class TestReject:
    async def test_a_rejected_order_goes_to_the_next_merchant(self, world: World) -> None:
        privilege = new_privilege()
        first = await world.merchant(privilege, score=90)
        second = await world.merchant(privilege, score=50)
        order_id = (await world.dispatched(privilege))["order_id"]

        response = await call(world, first, order_id, "reject", reason="司机不足")
        again = await call(world, first, order_id, "reject", reason="司机不足")

        assert response.json()["status"] == again.json()["status"] == "rejected"
        assert (await world.fulfilment(order_id))["merchant_id"] == second["id"]
        await world.event("cheyou.merchant.order_rejected.v1", order_id=order_id, merchant_id=first["id"])
        assert (await call(world, first, order_id, "accept")).status_code == 409

    async def test_when_every_merchant_rejects_the_order_is_unplaceable(self, world: World) -> None:
        privilege = new_privilege()
        only = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]

        await call(world, only, order_id, "reject", reason="满单")

        event = await world.event("cheyou.merchant.order_unplaceable.v1", order_id=order_id)
        assert event["reason"] == "all_rejected"


class TestAccess:
    async def test_another_merchants_order_is_404_and_untouched(self, world: World) -> None:
        privilege = new_privilege()
        await world.merchant(privilege)
        stranger = await world.merchant(new_privilege())
        order_id = (await world.dispatched(privilege))["order_id"]

        read = await world.client.get(f"{API}/{order_id}", headers=world.as_merchant(stranger["id"]))
        accept = await call(world, stranger, order_id, "accept")

        assert read.status_code == accept.status_code == 404
        assert (await world.fulfilment(order_id))["status"] == "dispatched"

    async def test_a_merchant_that_rejected_an_order_no_longer_reads_it(self, world: World) -> None:
        """Security issue 17 (Low): the rejecting merchant kept reading the member's details and the next
        merchant's steps and evidence."""
        privilege = new_privilege()
        first = await world.merchant(privilege, score=90)
        second = await world.merchant(privilege, score=50)
        order_id = (await world.dispatched(privilege, pickup_address="福州市鼓楼区五四路 1 号"))["order_id"]
        await call(world, first, order_id, "reject", reason="司机不足")
        await call(world, second, order_id, "accept")

        read = await world.client.get(f"{API}/{order_id}", headers=world.as_merchant(first["id"]))
        listed = await world.client.get(API, headers=world.as_merchant(first["id"]))
        again = await call(world, first, order_id, "reject", reason="司机不足")

        assert read.status_code == 404
        assert order_id not in {o["order_id"] for o in listed.json()["items"]}
        assert again.status_code == 200  # rejecting twice stays idempotent, and says only that
        assert again.json()["status"] == "rejected"
        assert again.json()["details"] == {}
        assert again.json()["accepted_at"] is None
        assert "五四路" not in again.text

    async def test_a_merchant_that_let_an_order_lapse_no_longer_reads_it(self, world: World) -> None:
        from merchant_svc.fulfilments import service as fulfilments
        from sqlalchemy import text

        privilege = new_privilege()
        slow = await world.merchant(privilege, score=90)
        await world.merchant(privilege, score=50)
        order_id = (await world.dispatched(privilege))["order_id"]
        async with world.sessions() as session, session.begin():
            await session.execute(
                text(
                    "UPDATE fulfilments SET accept_due_at = now() - interval '1 second' WHERE order_id = :id"
                ),
                {"id": order_id},
            )
        async with world.sessions() as session, session.begin():
            await fulfilments.expire_overdue(session, 100)

        read = await world.client.get(f"{API}/{order_id}", headers=world.as_merchant(slow["id"]))
        late = await call(world, slow, order_id, "accept")

        assert read.status_code == 404
        assert late.status_code == 409  # it may still learn that it lost it, and nothing more
        assert set(late.json()) >= {"status_now"}
        assert late.json()["status_now"] == "expired"

    async def test_staff_cannot_use_the_merchant_api(self, world: World) -> None:
        response = await world.client.get(API, headers=world.ops)

        assert response.status_code == 403

    async def test_a_merchant_lists_only_its_orders(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        order_id = (await world.dispatched(privilege))["order_id"]

        page = (await world.client.get(API, headers=world.as_merchant(merchant["id"]))).json()

        assert [o["order_id"] for o in page["items"]] == [order_id]


class TestWhoActed:
    async def test_each_callback_names_the_user_whose_key_acted_in_the_history(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        dispatcher = await world.user(merchant["id"], "dispatcher")
        technician = await world.user(merchant["id"], "technician")
        dispatcher_key, technician_key = await world.key(dispatcher), await world.key(technician)
        order_id = (await world.dispatched(privilege))["order_id"]

        for key, action, body in [
            (dispatcher_key, "accept", {}),
            (technician_key, "start", {}),
            (technician_key, "start", {}),  # a repeat: answered, recorded once
            (technician_key, "complete", {"notes": "洗车完成"}),
        ]:
            response = await world.client.post(
                f"{API}/{order_id}/{action}", json=body, headers=world.as_key(key)
            )
            assert response.status_code == 200, response.text

        history = (await world.client.get(f"/api/v1/fulfilments/{order_id}", headers=world.ops)).json()[
            "history"
        ]
        assert [(h["action"], h["merchant_user_id"], h["api_key_id"]) for h in history] == [
            ("dispatched", None, None),
            ("accepted", dispatcher["id"], dispatcher_key["id"]),
            ("in_service", technician["id"], technician_key["id"]),
            ("completed", technician["id"], technician_key["id"]),
        ]
        assert history[0]["actor"] == "system"
        mine = await world.client.get(f"{API}/{order_id}", headers=world.as_key(dispatcher_key))
        assert [h["action"] for h in mine.json()["history"]] == [
            "dispatched",
            "accepted",
            "in_service",
            "completed",
        ]

    async def test_a_technician_may_not_accept_and_nothing_changes(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        technician_key = await world.key(await world.user(merchant["id"], "technician"))
        order_id = (await world.dispatched(privilege))["order_id"]

        response = await world.client.post(
            f"{API}/{order_id}/accept", json={}, headers=world.as_key(technician_key)
        )

        assert response.status_code == 403
        fulfilment = await world.fulfilment(order_id)
        assert (fulfilment["status"], fulfilment["accepted_at"]) == ("dispatched", None)
        assert [h["action"] for h in fulfilment["history"]] == ["dispatched"]

    async def test_a_revoked_key_can_no_longer_call_back(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        key = await world.key(await world.user(merchant["id"], "dispatcher"))
        order_id = (await world.dispatched(privilege))["order_id"]
        await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/api-keys/{key['id']}/revoke", headers=world.ops
        )

        response = await world.client.post(f"{API}/{order_id}/accept", json={}, headers=world.as_key(key))

        assert response.status_code == 401
        assert (await world.fulfilment(order_id))["status"] == "dispatched"
