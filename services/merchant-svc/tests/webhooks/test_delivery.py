"""Webhooks reach a real HTTP receiver signed, are retried, honour Retry-After, disable dead endpoints,
and a hanging merchant does not hold up the others."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

from ..receiver import HANG, Answer, Receiver  # noqa: TID252  (shared test helpers, no package path)
from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)


async def message_of(world: World, order_id: str, **until: Any) -> dict[str, Any]:
    """The webhook message of an order with its deliveries and attempts, once ``until`` holds."""

    async def probe() -> dict[str, Any] | None:
        listed = await world.client.get(
            "/api/v1/webhook-messages", params={"order_id": order_id}, headers=world.ops
        )
        items = listed.json()["items"]
        if not items:
            return None
        detail: dict[str, Any] = (
            await world.client.get(f"/api/v1/webhook-messages/{items[0]['id']}", headers=world.ops)
        ).json()
        if "attempts" in until and len(detail["attempts"]) < until["attempts"]:
            return None
        if "status" in until and detail["deliveries"][0]["status"] != until["status"]:
            return None
        return detail

    return await world.until(probe, within=until.get("within", 20.0))


async def endpoint_of(world: World, endpoint_id: str, status: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found: dict[str, Any] = (
            await world.client.get(f"/api/v1/webhook-endpoints/{endpoint_id}", headers=world.ops)
        ).json()
        return found if found["status"] == status else None

    return await world.until(probe)


class TestDispatchWebhook:
    async def test_a_dispatched_order_reaches_the_receiver_signed_and_verifiable(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint()
        endpoint = await world.endpoint(merchant["id"], hook.url)

        order_id = await world.request_order(
            privilege, pickup_address="福州市鼓楼区五四路 1 号", vehicle_plate="闽A12345"
        )
        detail = await message_of(world, order_id, status="succeeded")

        [request] = hook.received
        payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
        assert payload["type"] == "order.dispatched"
        assert payload["data"]["order_id"] == order_id
        assert payload["data"]["details"]["pickup_address"] == "福州市鼓楼区五四路 1 号"
        assert request.headers["webhook-id"] == detail["id"]
        [attempt] = detail["attempts"]
        assert (attempt["outcome"], attempt["status_code"], attempt["response_excerpt"]) == (
            "success",
            200,
            "ok",
        )
        metrics = (await world.client.get("/metrics")).text
        assert (
            f'cheyou_webhook_deliveries_total{{merchant="{merchant["id"]}",outcome="success"}} 1.0' in metrics
        )

    async def test_an_endpoint_only_gets_the_event_types_it_subscribed_to(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        everything, cancellations = receiver.endpoint(), receiver.endpoint()
        await world.endpoint(merchant["id"], everything.url)
        await world.endpoint(merchant["id"], cancellations.url, event_types=["order.cancelled"])

        order_id = await world.request_order(privilege)
        detail = await message_of(world, order_id, status="succeeded")

        assert len(detail["deliveries"]) == 1
        assert len(everything.received) == 1
        assert cancellations.received == []


class TestRetries:
    async def test_failures_are_retried_with_the_same_webhook_id_and_every_attempt_is_logged(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint().answer(Answer(500, body=b"database down"), Answer(503))
        endpoint = await world.endpoint(merchant["id"], hook.url)

        order_id = await world.request_order(privilege)
        detail = await message_of(world, order_id, status="succeeded")

        assert [a["outcome"] for a in detail["attempts"]] == ["failure", "failure", "success"]
        assert [a["status_code"] for a in detail["attempts"]] == [500, 503, 200]
        assert detail["attempts"][0]["response_excerpt"] == "database down"
        assert {r.headers["webhook-id"] for r in hook.received} == {detail["id"]}
        for request in hook.received:
            Webhook(endpoint["secret"]).verify(request.body, request.headers)

    async def test_retry_after_is_honoured(self, world: World, receiver: Receiver) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint().answer(Answer(429, headers={"Retry-After": "3"}))
        await world.endpoint(merchant["id"], hook.url)

        order_id = await world.request_order(privilege)
        await message_of(world, order_id, status="succeeded")

        first, second = hook.received
        assert second.at - first.at >= 3.0

    async def test_an_endpoint_failing_for_days_is_disabled_and_ops_are_told(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint().answer(then=Answer(500))
        endpoint = await world.endpoint(merchant["id"], hook.url)
        async with world.sessions() as session, session.begin():
            await session.execute(
                text("UPDATE webhook_endpoints SET failing_since = :t WHERE id = :id"),
                {"t": datetime.now(UTC) - timedelta(days=6), "id": endpoint["id"]},
            )

        await world.request_order(privilege)
        disabled = await endpoint_of(world, endpoint["id"], "disabled")

        assert disabled["disabled_reason"].startswith("failing since")
        event = await world.event("cheyou.merchant.webhook_endpoint_disabled.v1", endpoint_id=endpoint["id"])
        assert event["reason"] == "failing"
        metrics = (await world.client.get("/metrics")).text
        assert f'cheyou_webhook_endpoint_disabled{{merchant="{merchant["id"]}"}} 1.0' in metrics


class TestGone:
    async def test_410_disables_the_endpoint_at_once(self, world: World, receiver: Receiver) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint().answer(Answer(410))
        endpoint = await world.endpoint(merchant["id"], hook.url)

        await world.request_order(privilege)
        await endpoint_of(world, endpoint["id"], "disabled")

        event = await world.event("cheyou.merchant.webhook_endpoint_disabled.v1", endpoint_id=endpoint["id"])
        assert event["reason"] == "gone"
        assert len(hook.received) == 1

    async def test_enabling_again_delivers_what_waited(self, world: World, receiver: Receiver) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint().answer(Answer(410))
        endpoint = await world.endpoint(merchant["id"], hook.url)
        order_id = await world.request_order(privilege)
        await endpoint_of(world, endpoint["id"], "disabled")

        enabled = await world.client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/enable", headers=world.ops
        )
        detail = await message_of(world, order_id, status="succeeded")

        assert enabled.json()["status"] == "enabled"
        assert [a["status_code"] for a in detail["attempts"]] == [410, 200]


class TestIsolation:
    async def test_a_hanging_merchant_neither_delays_others_nor_gets_more_than_its_slots(
        self, world: World, receiver: Receiver
    ) -> None:
        slow_privilege, fast_privilege = new_privilege(), new_privilege()
        slow, fast = await world.merchant(slow_privilege), await world.merchant(fast_privilege)
        hanging, healthy = receiver.endpoint().answer(then=HANG), receiver.endpoint()
        slow_endpoint = await world.endpoint(slow["id"], hanging.url)
        await world.endpoint(fast["id"], healthy.url)
        for _ in range(4):
            await world.request_order(slow_privilege)
        await world.until(lambda: _at_least(hanging.received, 2))

        order_id = await world.request_order(fast_privilege)
        await message_of(world, order_id, status="succeeded")
        await world.until(lambda: _attempts_logged(world, slow_endpoint["id"], 4))

        # The healthy merchant was served while the hanging one still held both of its slots...
        assert healthy.received[0].at < hanging.received[0].at + world.settings.webhook_timeout_s
        # ...and the hanging one never had more than max_in_flight (2 in this suite) requests open.
        page = await world.client.get(
            f"/api/v1/webhook-endpoints/{slow_endpoint['id']}/attempts", headers=world.ops
        )
        spans = [
            (datetime.fromisoformat(a["attempted_at"]).timestamp(), a["latency_ms"] / 1000)
            for a in page.json()["items"]
        ]
        assert max(sum(1 for s, d in spans if s <= t < s + d - 0.01) for t, _ in spans) <= 2


async def _attempts_logged(world: World, endpoint_id: str, n: int) -> bool | None:
    page = await world.client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/attempts", headers=world.ops)
    return True if len(page.json()["items"]) >= n else None


async def _at_least(items: list[Any], n: int) -> bool | None:
    return True if len(items) >= n else None


class TestRedeliver:
    async def test_ops_redeliver_a_message_with_the_same_webhook_id(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint()
        await world.endpoint(merchant["id"], hook.url)
        order_id = await world.request_order(privilege)
        detail = await message_of(world, order_id, status="succeeded")

        response = await world.client.post(
            f"/api/v1/webhook-messages/{detail['id']}/redeliver", json={}, headers=world.ops
        )
        await world.until(lambda: _at_least(hook.received, 2))

        assert response.json() == {"requeued": 1}
        assert [r.headers["webhook-id"] for r in hook.received] == [detail["id"], detail["id"]]
        assert hook.received[0].body == hook.received[1].body

    async def test_a_merchant_cannot_redeliver(self, world: World) -> None:
        response = await world.client.post(
            "/api/v1/webhook-messages/msg_x/redeliver", json={}, headers=world.as_merchant(uuid.uuid4())
        )

        assert response.status_code == 403


class TestRecover:
    async def test_deliveries_failed_since_a_time_are_sent_again(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint().answer(*[Answer(500)] * 8)
        endpoint = await world.endpoint(merchant["id"], hook.url)
        since = datetime.now(UTC)
        order_id = await world.request_order(privilege)
        await message_of(world, order_id, status="failed", within=30.0)

        response = await world.client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/recover",
            json={"since": since.isoformat()},
            headers=world.ops,
        )
        detail = await message_of(world, order_id, status="succeeded")

        assert response.json() == {"requeued": 1}
        assert len(detail["attempts"]) == 9


class TestRotateSecret:
    async def test_during_the_overlap_deliveries_verify_with_the_old_and_the_new_secret(
        self, world: World, receiver: Receiver
    ) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint()
        endpoint = await world.endpoint(merchant["id"], hook.url)

        rotated = await world.client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/secrets/rotate",
            json={"overlap_seconds": 3600},
            headers=world.as_merchant(merchant["id"]),
        )
        order_id = await world.request_order(privilege)
        await message_of(world, order_id, status="succeeded")

        [request] = hook.received
        assert Webhook(endpoint["secret"]).verify(request.body, request.headers)
        assert Webhook(rotated.json()["secret"]).verify(request.body, request.headers)
        secrets = await world.client.get(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/secrets", headers=world.ops
        )
        assert [s["secret"] for s in secrets.json()] == [rotated.json()["secret"], endpoint["secret"]]

    async def test_with_no_overlap_only_the_new_secret_signs(self, world: World, receiver: Receiver) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        hook = receiver.endpoint()
        endpoint = await world.endpoint(merchant["id"], hook.url)

        await world.client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/secrets/rotate",
            json={"overlap_seconds": 0},
            headers=world.ops,
        )
        order_id = await world.request_order(privilege)
        await message_of(world, order_id, status="succeeded")

        assert len(hook.received[0].headers["webhook-signature"].split(" ")) == 1


class TestCreateEndpoint:
    async def test_a_non_http_url_is_refused_and_nothing_is_written(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            "/api/v1/webhook-endpoints",
            json={"merchant_id": merchant["id"], "url": "ftp://files.example/hook"},
            headers=world.ops,
        )

        assert response.status_code == 422
        listed = await world.client.get(
            "/api/v1/webhook-endpoints", params={"merchant_id": merchant["id"]}, headers=world.ops
        )
        assert listed.json() == []

    async def test_an_unknown_event_type_is_refused(self, world: World, receiver: Receiver) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            "/api/v1/webhook-endpoints",
            json={
                "merchant_id": merchant["id"],
                "url": receiver.endpoint().url,
                "event_types": ["order.eaten"],
            },
            headers=world.ops,
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"].startswith("body.event_types")

    async def test_a_merchant_cannot_register_an_endpoint_for_another(
        self, world: World, receiver: Receiver
    ) -> None:
        mine, other = await world.merchant(new_privilege()), await world.merchant(new_privilege())

        response = await world.client.post(
            "/api/v1/webhook-endpoints",
            json={"merchant_id": other["id"], "url": receiver.endpoint().url},
            headers=world.as_merchant(mine["id"]),
        )

        assert response.status_code == 404
