"""A circuit breaker per service: a failing service is left alone for a while, then probed."""

import asyncio
import uuid

from .conftest import GatewayFactory
from .sign_in import bearer
from .stand_ins import World


class TestCircuitBreaker:
    async def test_a_failing_service_is_not_called_until_the_cool_down_ends(
        self, gateway: GatewayFactory, world: World
    ) -> None:
        test_id = uuid.uuid4().hex
        world.failures_left[test_id] = 2
        async with gateway(breaker_failure_threshold=2, breaker_reset_seconds=0.5, upstream_retries=0) as gw:
            headers = {**await bearer(gw, "ops1"), "X-Test-Id": test_id}
            failures = [
                (await gw.get("/api/v1/activities/flaky", headers=headers)).status_code for _ in range(2)
            ]

            fast_failure = await gw.get("/api/v1/activities/flaky", headers=headers)
            calls_while_open = world.calls[test_id]
            other_service = await gw.get("/api/v1/claims/echo", headers=headers)
            await asyncio.sleep(0.6)
            probe = await gw.get("/api/v1/activities/flaky", headers=headers)

        assert failures == [503, 503]
        assert fast_failure.status_code == 503
        assert fast_failure.json()["type"].endswith("/service-unavailable")
        assert int(fast_failure.headers["Retry-After"]) >= 1
        assert calls_while_open == 2
        assert other_service.status_code == 200
        assert probe.status_code == 200

    async def test_an_unreachable_service_is_a_502_then_fails_fast(self, gateway: GatewayFactory) -> None:
        async with gateway(
            CLAIMS_URL="http://127.0.0.1:9", breaker_failure_threshold=1, upstream_retries=0
        ) as gw:
            headers = await bearer(gw, "ops1")
            first = await gw.get("/api/v1/auth/whoami", headers=headers)
            unreachable = await gw.post("/api/v1/claims", headers=headers, json={})

        assert first.status_code == 200
        # claims-svc never answered its OpenAPI document, so its paths are unknown: 503, not 404.
        assert unreachable.status_code == 503
