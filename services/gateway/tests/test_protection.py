"""Rate limits per principal and per address (on real Redis), body limits, CORS and security headers."""

import uuid

import httpx

from .conftest import GatewayFactory
from .sign_in import bearer


def _address() -> dict[str, str]:
    return {"X-Forwarded-For": f"192.0.2.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"}


class TestRateLimits:
    async def test_a_principal_over_its_limit_gets_429_with_retry_after(
        self, client: httpx.AsyncClient, gateway: GatewayFactory
    ) -> None:
        username = f"rl{uuid.uuid4().hex[:6]}"
        body = {"username": username, "display_name": "限流", "role": "ops", "password": "a-long-password"}
        created = await client.post("/api/v1/auth/staff", headers=await bearer(client, "admin"), json=body)
        assert created.status_code == 201, created.text
        async with gateway(rate_limit_per_principal=3) as limited:
            login = await limited.post(
                "/api/v1/auth/staff/login", json={"username": username, "password": "a-long-password"}
            )
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            statuses = [
                (await limited.get("/api/v1/rewards/echo", headers={**headers, **_address()})).status_code
                for _ in range(4)
            ]
            last = await limited.get("/api/v1/rewards/echo", headers=headers)

        assert statuses == [200, 200, 200, 429]
        assert last.status_code == 429
        assert 1 <= int(last.headers["Retry-After"]) <= 60
        assert last.json()["type"].endswith("/rate-limited")

    async def test_an_address_over_its_limit_gets_429(self, gateway: GatewayFactory) -> None:
        address = _address()
        async with gateway(rate_limit_per_ip=2) as limited:
            statuses = [
                (await limited.get("/api/v1/rewards/echo", headers=address)).status_code for _ in range(3)
            ]

        assert statuses == [401, 401, 429]

    async def test_bad_tokens_count_against_the_address(self, gateway: GatewayFactory) -> None:
        address = _address()
        async with gateway(rate_limit_per_ip=2) as limited:
            statuses = [
                (
                    await limited.get(
                        "/api/v1/rewards/echo", headers={**address, "Authorization": "Bearer not-a-token"}
                    )
                ).status_code
                for _ in range(3)
            ]

        assert statuses == [401, 401, 429]


class TestBodyLimits:
    async def test_a_declared_body_over_the_limit_is_a_413(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "ops1")

        response = await client.post(
            "/api/v1/campaigns/echo",
            headers={**headers, "content-type": "application/json"},
            content=b"[" + b"1," * 600_000 + b"1]",
        )

        assert response.status_code == 413
        assert response.json()["type"].endswith("/payload-too-large")

    async def test_a_streamed_body_over_the_limit_is_a_413(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "ops1")

        async def chunks() -> object:
            for _ in range(20):
                yield b"x" * 100_000

        response = await client.post("/api/v1/campaigns/echo", headers=headers, content=chunks())

        assert response.status_code == 413

    async def test_an_upload_may_be_larger(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "surveyor1")

        response = await client.post(
            "/api/v1/surveys/echo", headers=headers, files={"photo": ("front.jpg", b"\xff" * 2_000_000)}
        )

        assert response.status_code == 200

    async def test_malformed_json_is_a_422_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/auth/staff/login", content=b"{not json", headers={"content-type": "application/json"}
        )

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestHeaders:
    async def test_answers_carry_security_headers(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/auth/whoami")

        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" in response.headers

    async def test_a_configured_origin_passes_cors(self, client: httpx.AsyncClient) -> None:
        response = await client.options(
            "/api/v1/me",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )

        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"

    async def test_another_origin_does_not(self, client: httpx.AsyncClient) -> None:
        response = await client.options(
            "/api/v1/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )

        assert response.status_code == 400
        assert "Access-Control-Allow-Origin" not in response.headers
