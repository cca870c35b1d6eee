"""Requests reach the service owning their path, carrying the caller's signed identity and nothing else."""

import uuid

import httpx
from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role
from cheyou_kit.testing import Identities

from .conftest import GatewayFactory
from .sign_in import bearer
from .stand_ins import World


class TestForward:
    async def test_a_staff_request_reaches_the_owning_service_with_its_identity(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = await bearer(client, "reviewer1")

        response = await client.get("/api/v1/applications/echo", params={"q": "1"}, headers=headers)

        assert response.status_code == 200, response.text
        echo = response.json()
        assert echo["service"] == "member-svc"
        assert echo["principal"]["subject"] == "staff:reviewer1"
        assert echo["principal"]["role"] == "reviewer"
        assert echo["principal"]["staff_id"] == "reviewer1"
        assert echo["query"] == "q=1"

    async def test_each_segment_goes_to_its_own_service(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "admin")
        expected = {
            "tier-rules": "member-svc",
            "flash-sales": "privilege-svc",
            "webhook-endpoints": "merchant-svc",
            "liability-scenarios": "claims-svc",
            "preferences": "notify-svc",
        }

        served = {
            segment: (await client.get(f"/api/v1/{segment}/echo", headers=headers)).json()["service"]
            for segment in expected
        }

        assert served == expected

    async def test_a_forwarded_request_is_measured_under_the_services_route_template(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = await bearer(client, "admin")
        member_id = uuid.uuid4()

        await client.get(f"/api/v1/members/{member_id}", headers=headers)
        metrics = (await client.get("/metrics")).text

        assert 'route="/api/v1/members/{member_id}"' in metrics
        assert str(member_id) not in metrics, "one series per route, not per object"

    async def test_credentials_stay_at_the_gateway(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "ops1")

        echo = (await client.post("/api/v1/campaigns/echo", headers=headers, json={"a": 1})).json()

        assert echo["authorization"] is None
        assert echo["body"] == '{"a":1}'
        assert echo["request_id"]

    async def test_a_client_sent_identity_header_is_replaced(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        """Even a validly signed identity from the client is dropped: only the gateway speaks for callers."""
        headers = await bearer(client, "reviewer1")
        private_key = identities.public_key_file.with_name("internal-token.key").read_bytes()
        forged = IdentitySigner(private_key).sign(
            Principal(subject="x", role=Role.ADMIN),
            "member-svc",
            method="GET",
            path="/api/v1/applications/echo",
        )

        echo = (
            await client.get("/api/v1/applications/echo", headers={**headers, IDENTITY_HEADER: forged})
        ).json()

        assert echo["identity_headers"] == 1
        assert echo["principal"]["role"] == "reviewer"

    async def test_the_token_is_signed_for_the_path_and_query_the_service_receives(
        self, client: httpx.AsyncClient
    ) -> None:
        """The stand-ins verify the token against the request line as they receive it: a query with
        Chinese, spaces, '+' and '/' (percent-encoded on the way) still matches what was signed."""
        headers = await bearer(client, "reviewer1")

        response = await client.get(
            "/api/v1/applications/echo", params={"q": "闽A 12345", "cursor": "a+b/c=="}, headers=headers
        )

        assert response.status_code == 200, response.text
        assert response.json()["principal"]["role"] == "reviewer"

    async def test_without_credentials_the_request_goes_nowhere(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        test_id = uuid.uuid4().hex

        response = await client.get("/api/v1/applications/echo", headers={"X-Test-Id": test_id})

        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert world.calls[test_id] == 0

    async def test_a_forged_identity_alone_is_not_a_credential(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        private_key = identities.public_key_file.with_name("internal-token.key").read_bytes()
        forged = IdentitySigner(private_key).sign(
            Principal(subject="x", role=Role.ADMIN),
            "member-svc",
            method="GET",
            path="/api/v1/applications/echo",
        )

        response = await client.get("/api/v1/applications/echo", headers={IDENTITY_HEADER: forged})

        assert response.status_code == 401

    async def test_an_unknown_segment_is_a_404(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "admin")

        response = await client.get("/api/v1/no-such-thing/1", headers=headers)

        assert response.status_code == 404
        assert response.json()["type"].endswith("/no-such-route")

    async def test_a_public_segment_is_forwarded_without_identity(self, client: httpx.AsyncClient) -> None:
        """The service then decides (the stand-in, like every kit service, refuses a missing identity)."""
        response = await client.post("/api/v1/sms-receipts/echo", json=[])

        assert response.status_code == 401
        assert response.json()["detail"] == "requests must come through the gateway"

    async def test_the_service_answer_comes_back_as_is(self, client: httpx.AsyncClient) -> None:
        headers = await bearer(client, "reviewer1")

        response = await client.get(f"/api/v1/members/{uuid.uuid4()}/card", headers=headers)

        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")


class TestRetries:
    async def test_an_idempotent_request_is_retried_after_a_503(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        """Each attempt carries an identity token signed for it, from the request as sent."""
        headers, test_id = await bearer(client, "admin"), uuid.uuid4().hex
        world.failures_left[test_id] = 2

        response = await client.get("/api/v1/rewards/flaky", headers={**headers, "X-Test-Id": test_id})

        assert response.status_code == 200
        assert world.calls[test_id] == 3

    async def test_a_post_is_never_retried(self, client: httpx.AsyncClient, world: World) -> None:
        headers, test_id = await bearer(client, "admin"), uuid.uuid4().hex
        world.failures_left[test_id] = 1

        response = await client.post("/api/v1/rewards/flaky", headers={**headers, "X-Test-Id": test_id})

        assert response.status_code == 503
        assert world.calls[test_id] == 1

    async def test_a_slow_service_is_a_504(self, gateway: GatewayFactory) -> None:
        async with gateway(upstream_timeout_seconds=0.2, upstream_retries=0) as fast_giving_up:
            headers = await bearer(fast_giving_up, "admin")

            response = await fast_giving_up.get(
                "/api/v1/rewards/slow", params={"seconds": 2}, headers=headers
            )

        assert response.status_code == 504
        assert response.json()["type"].endswith("/upstream-timeout")
