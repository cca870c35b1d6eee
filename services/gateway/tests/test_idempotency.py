"""``Idempotency-Key`` on mutations: the first answer is kept and replayed, on real Redis."""

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from cheyou_kit.testing import eventually
from gateway.config import Settings
from gateway.protection.idempotency import fingerprint
from redis.asyncio import Redis

from .sign_in import bearer
from .stand_ins import World


def _arrived(world: World, test_id: str) -> Callable[[], Awaitable[bool | None]]:
    async def probe() -> bool | None:
        return True if world.calls[test_id] else None

    return probe


class TestIdempotencyKey:
    async def test_a_repeat_gets_the_first_answer_and_the_service_works_once(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        test_id, key = uuid.uuid4().hex, uuid.uuid4().hex
        headers = {**await bearer(client, "manager1"), "X-Test-Id": test_id, "Idempotency-Key": key}

        first = await client.post("/api/v1/applications", headers=headers, json={"name": "王五"})
        second = await client.post("/api/v1/applications", headers=headers, json={"name": "王五"})

        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert world.calls[test_id] == 1

    async def test_the_same_key_with_another_body_is_a_422(self, client: httpx.AsyncClient) -> None:
        headers = {**await bearer(client, "manager1"), "Idempotency-Key": uuid.uuid4().hex}
        await client.post("/api/v1/applications", headers=headers, json={"name": "王五"})

        response = await client.post("/api/v1/applications", headers=headers, json={"name": "赵六"})

        assert response.status_code == 422
        assert response.json()["type"].endswith("/idempotency-key-reused")

    async def test_a_repeat_while_the_first_is_in_flight_is_a_409(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        test_id = uuid.uuid4().hex
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": uuid.uuid4().hex, "X-Test-Id": test_id}
        first = asyncio.create_task(
            client.post("/api/v1/rewards/slow", params={"seconds": 1}, headers=headers, json={})
        )
        await eventually(_arrived(world, test_id))  # the first request has reached the service

        second = await client.post("/api/v1/rewards/slow", params={"seconds": 1}, headers=headers, json={})

        assert second.status_code == 409
        assert (await first).status_code == 200

    async def test_keys_are_kept_per_principal(self, client: httpx.AsyncClient, world: World) -> None:
        test_id, key = uuid.uuid4().hex, uuid.uuid4().hex
        for username in ("manager1", "manager2"):
            headers = {**await bearer(client, username), "X-Test-Id": test_id, "Idempotency-Key": key}
            await client.post("/api/v1/applications", headers=headers, json={})

        assert world.calls[test_id] == 2

    async def test_keys_live_at_least_a_day(
        self, client: httpx.AsyncClient, service_settings: Settings
    ) -> None:
        key = uuid.uuid4().hex
        headers = {**await bearer(client, "reviewer2"), "Idempotency-Key": key}
        await client.post("/api/v1/applications", headers=headers, json={})

        redis = Redis.from_url(service_settings.redis_url)
        ttl = await redis.ttl(f"gw:idem:{{staff:reviewer2}}:{hashlib.sha256(key.encode()).hexdigest()}")
        await redis.aclose()
        assert ttl > 24 * 3600

    async def test_a_request_the_service_could_not_do_may_be_sent_again(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        test_id = uuid.uuid4().hex
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": uuid.uuid4().hex, "X-Test-Id": test_id}
        world.failures_left[test_id] = 1

        first = await client.post("/api/v1/rewards/flaky", headers=headers)
        second = await client.post("/api/v1/rewards/flaky", headers=headers)

        assert first.status_code == 503
        assert second.status_code == 200
        assert world.calls[test_id] == 2

    async def test_a_request_that_timed_out_inside_the_service_is_not_sent_again(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        """The service got it and may have done it: a retry with the key must not do it a second time."""
        test_id = uuid.uuid4().hex
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": uuid.uuid4().hex, "X-Test-Id": test_id}

        first = await client.post("/api/v1/rewards/slow", params={"seconds": 4}, headers=headers, json={})
        second = await client.post("/api/v1/rewards/slow", params={"seconds": 4}, headers=headers, json={})

        assert first.status_code == 504
        assert second.status_code == 409
        assert second.json()["type"].endswith("/idempotency-outcome-unknown")
        assert world.calls[test_id] == 1

    async def test_a_request_whose_service_died_before_answering_is_not_sent_again(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        """The connection broke after the request went out (the service did the work and was killed before
        its answer): the key is not released, so a retry with it cannot do the work a second time."""
        test_id = uuid.uuid4().hex
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": uuid.uuid4().hex, "X-Test-Id": test_id}

        first = await client.post("/api/v1/rewards/vanishing", headers=headers, json={})
        second = await client.post("/api/v1/rewards/vanishing", headers=headers, json={})

        assert first.status_code == 502
        assert second.status_code == 409, second.text
        assert second.json()["type"].endswith("/idempotency-outcome-unknown")
        assert world.calls[test_id] == 1

    async def test_a_key_left_in_flight_by_a_dead_gateway_does_not_come_free(
        self, client: httpx.AsyncClient, world: World, service_settings: Settings
    ) -> None:
        """A gateway killed while forwarding leaves its key in flight; the service may have done the work,
        so once that is older than any upstream timeout a retry is told the outcome is unknown — it is not
        sent again (before, the marker expired after 120 s and the retry did the work a second time)."""
        test_id, key = uuid.uuid4().hex, uuid.uuid4().hex
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": key, "X-Test-Id": test_id}
        redis = Redis.from_url(service_settings.redis_url)
        marker = {
            "state": "in_flight",
            "fingerprint": fingerprint("POST", "/api/v1/rewards/echo", "", b"{}"),
            "since": time.time() - 600,
        }
        digest = hashlib.sha256(key.encode()).hexdigest()
        await redis.set(f"gw:idem:{{staff:ops1}}:{digest}", json.dumps(marker), ex=3600)
        await redis.aclose()

        retry = await client.post("/api/v1/rewards/echo", headers=headers, content=b"{}")

        assert retry.status_code == 409, retry.text
        assert retry.json()["type"].endswith("/idempotency-outcome-unknown")
        assert world.calls[test_id] == 0

    async def test_a_malformed_key_is_a_400(self, client: httpx.AsyncClient) -> None:
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": "x" * 256}

        response = await client.post("/api/v1/applications", headers=headers, json={})

        assert response.status_code == 400
        assert response.json()["type"].endswith("/invalid-idempotency-key")

    async def test_a_get_ignores_the_key(self, client: httpx.AsyncClient, world: World) -> None:
        test_id, key = uuid.uuid4().hex, uuid.uuid4().hex
        headers = {**await bearer(client, "ops1"), "Idempotency-Key": key, "X-Test-Id": test_id}

        await client.get("/api/v1/applications/echo", headers=headers)
        await client.get("/api/v1/applications/echo", headers=headers)

        assert world.calls[test_id] == 2
