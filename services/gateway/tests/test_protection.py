"""Rate limits per principal and per address (on real Redis), body limits, CORS and security headers."""

import hashlib
import uuid
from collections.abc import AsyncIterator

import httpx

from .conftest import GatewayFactory
from .sign_in import bearer


def _address() -> dict[str, str]:
    """A client address of its own behind the proxy (the suite trusts 127.0.0.0/8 as its proxy)."""
    return {"X-Forwarded-For": f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"}


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

        async def chunks() -> AsyncIterator[bytes]:
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

    async def test_an_anonymous_100_kb_body_is_a_413(self, client: httpx.AsyncClient) -> None:
        """Security issue 17 (Low): anonymous routes took a megabyte (and uploads 20 MB) from anyone."""
        json_body = b'{"phone": "13800138000", "pad": "' + b"x" * 100_000 + b'"}'

        to_sign_in = await client.post(
            "/api/v1/auth/otp", content=json_body, headers={"content-type": "application/json"}
        )
        upload = await client.post("/api/v1/surveys/echo", files={"photo": ("front.jpg", b"\xff" * 100_000)})

        assert to_sign_in.status_code == upload.status_code == 413
        assert to_sign_in.json()["type"].endswith("/payload-too-large")

    async def test_an_anonymous_streamed_body_is_cut_at_the_small_limit(
        self, client: httpx.AsyncClient
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"x" * 4_000

        response = await client.post(
            "/api/v1/auth/staff/login", headers={"content-type": "application/json"}, content=chunks()
        )

        assert response.status_code == 413

    async def test_a_members_5_mb_photo_is_streamed_through_whole(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]]
    ) -> None:
        _, headers = member
        photo = bytes(range(256)) * (5 * 1024 * 1024 // 256)

        request = client.build_request(
            "POST",
            "/api/v1/claims/echo",
            headers=headers,
            files={"photo": ("front.jpg", photo, "image/jpeg")},
        )
        sent = request.read()

        response = await client.send(request)

        assert response.status_code == 200, response.text[:300]
        echoed = response.json()
        assert echoed["body_sha256"] == hashlib.sha256(sent).hexdigest()  # every byte, in order
        assert echoed["content_length"] == str(len(sent))  # the declared length went on with the stream
        assert echoed["principal"]["role"] == "member"

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


class TestClientAddress:
    """The rate-limit key is the client's address, which a client cannot choose by sending X-Forwarded-For."""

    async def test_a_spoofed_header_from_an_untrusted_client_does_not_change_the_rate_limit_key(
        self, gateway: GatewayFactory
    ) -> None:
        # The peer is not one of our proxies: it is the client, whatever it says.
        peer = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
        async with gateway(peer=peer, rate_limit_per_ip=2, trusted_proxies=["10.99.0.0/16"]) as limited:
            statuses = [
                (await limited.get("/api/v1/rewards/echo", headers=_address())).status_code for _ in range(3)
            ]
            # … and the counter it used up is the peer's: the next spoofed address is limited too.
            spoofed_again = await limited.get("/api/v1/rewards/echo", headers=_address())

        assert statuses == [401, 401, 429]
        assert spoofed_again.status_code == 429

    async def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(
        self, gateway: GatewayFactory
    ) -> None:
        client = _address()["X-Forwarded-For"]
        other_client = _address()["X-Forwarded-For"]
        async with gateway(
            peer="10.99.0.5", rate_limit_per_ip=2, trusted_proxies=["10.99.0.0/16"]
        ) as limited:
            statuses = [
                (
                    await limited.get(
                        "/api/v1/rewards/echo",
                        # What the client forged, then the client as our ingress saw it, then our own LB.
                        headers={"X-Forwarded-For": f"{_address()['X-Forwarded-For']}, {client}, 10.99.1.2"},
                    )
                ).status_code
                for _ in range(3)
            ]
            another = await limited.get(
                "/api/v1/rewards/echo", headers={"X-Forwarded-For": f"{client}, {other_client}, 10.99.1.2"}
            )

        assert statuses == [401, 401, 429]  # the forged left-most hop changed each time; the key did not
        assert another.status_code == 401  # another client behind the same proxies has its own counter


class TestClientAddressParsing:
    def test_hops(self) -> None:
        from ipaddress import ip_network

        from gateway.protection.client_address import client_address

        proxies = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]

        assert client_address("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9"
        assert client_address("10.0.0.1", ["1.2.3.4, 198.51.100.7, 10.1.1.1"], proxies) == "198.51.100.7"
        assert client_address("10.0.0.1", ["1.2.3.4", "198.51.100.7:5555"], proxies) == "198.51.100.7"
        assert client_address("10.0.0.1", ["[2001:db8::5]:443"], proxies) == "2001:db8::5"
        assert client_address("10.0.0.1", ["not-an-address, 10.2.2.2"], proxies) == "10.2.2.2"
        assert client_address("10.0.0.1", [], proxies) == "10.0.0.1"
        assert client_address("::ffff:10.0.0.1", ["::ffff:198.51.100.7"], proxies) == "198.51.100.7"
        assert client_address(None, ["1.2.3.4"], proxies) == "unknown"
