"""Authorization as the gateway sees it: role checks per part of the API (function level), and the
object checks of the services behind it (here stand-ins keeping the services' promise) as a matrix:
every route that takes a member's id × every role that can sign in × someone else's member."""

import secrets
import uuid

import httpx
import pytest
from cheyou_kit.auth import AUDIENCES_EXTENSION, Principal, Role
from gateway.proxy.errors import RoleNotAllowed
from gateway.proxy.policy import authorize

from .sign_in import bearer, wechat_sign_in
from .stand_ins import World

# Every route of the "Me"-page contracts that takes a member's id.
ID_ROUTES = [
    "/api/v1/members/{id}",
    "/api/v1/members/{id}/card",
    "/api/v1/points/{id}",
    "/api/v1/entitlements/{id}",
    "/api/v1/orders?member_id={id}",
    "/api/v1/claims?member_id={id}",
    "/api/v1/coupons?member_id={id}",
    "/api/v1/inbox/{id}/unread-count",
]


@pytest.fixture(scope="module")
async def as_role(client: httpx.AsyncClient, wechat_url: str, world: World) -> dict[str, dict[str, str]]:
    """Credentials of one caller per role that signs in from outside: member, merchant, each staff role."""
    _, tokens = await wechat_sign_in(client, wechat_url, world)
    key = f"mk_{secrets.token_urlsafe(24)}"
    world.merchant_keys[key] = (uuid.uuid4(), "active")
    return {
        "member": {"Authorization": f"Bearer {tokens['access_token']}"},
        "merchant": {"X-Api-Key": key},
        "reviewer": await bearer(client, "reviewer1"),
        "manager": await bearer(client, "manager1"),
        "surveyor": await bearer(client, "surveyor1"),
        "ops": await bearer(client, "ops1"),
        "admin": await bearer(client, "admin"),
    }


class TestObjectLevel:
    @pytest.mark.parametrize("route", ID_ROUTES)
    async def test_a_member_cannot_read_another_members_data(
        self, client: httpx.AsyncClient, as_role: dict[str, dict[str, str]], route: str
    ) -> None:
        someone_else = uuid.uuid4()

        response = await client.get(route.format(id=someone_else), headers=as_role["member"])

        assert response.status_code in (403, 404)

    @pytest.mark.parametrize("route", ID_ROUTES)
    async def test_a_member_reads_their_own(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]], route: str
    ) -> None:
        member_id, headers = member

        response = await client.get(route.format(id=member_id), headers=headers)

        assert response.status_code == 200

    @pytest.mark.parametrize("route", ID_ROUTES)
    async def test_a_merchant_reads_no_members_data(
        self, client: httpx.AsyncClient, as_role: dict[str, dict[str, str]], route: str
    ) -> None:
        response = await client.get(route.format(id=uuid.uuid4()), headers=as_role["merchant"])

        assert response.status_code in (403, 404)


class TestFunctionLevel:
    @pytest.mark.parametrize(
        ("role", "path", "status"),
        [
            ("member", "/api/v1/visits/echo", 403),
            ("member", "/api/v1/campaigns/echo", 403),
            ("member", "/api/v1/merchant-api-keys/echo", 403),
            ("member", "/api/v1/policy-feed/echo", 403),
            ("member", "/api/v1/claims/echo", 200),
            ("member", "/api/v1/policies/P1", 403),
            ("merchant", "/api/v1/members/echo", 403),
            ("merchant", "/api/v1/claims/echo", 403),
            ("merchant", "/api/v1/fulfilments/echo", 200),
            ("reviewer", "/api/v1/merchant-api/echo", 403),
            ("reviewer", "/api/v1/policies/P1", 200),
            ("surveyor", "/api/v1/policies/P1", 403),
            ("admin", "/api/v1/merchant-api/echo", 403),
            ("admin", "/api/v1/targets/echo", 200),
        ],
    )
    async def test_roles_reach_only_their_parts_of_the_api(
        self,
        client: httpx.AsyncClient,
        as_role: dict[str, dict[str, str]],
        role: str,
        path: str,
        status: int,
    ) -> None:
        response = await client.get(path, headers=as_role[role])

        assert response.status_code == status, response.text

    async def test_a_refusal_never_reaches_the_service(
        self, client: httpx.AsyncClient, as_role: dict[str, dict[str, str]], world: World
    ) -> None:
        test_id = uuid.uuid4().hex

        await client.get("/api/v1/visits/echo", headers={**as_role["member"], "X-Test-Id": test_id})

        assert world.calls[test_id] == 0

    async def test_dot_segments_cannot_reach_around_the_policy(
        self, client: httpx.AsyncClient, as_role: dict[str, dict[str, str]]
    ) -> None:
        """(httpx itself resolves a literal ``..``; an encoded one reaches the gateway as is.)"""
        response = await client.get("/api/v1/claims/%2E%2E/visits/echo", headers=as_role["member"])

        assert response.status_code == 400


class TestDeclaredAudiences:
    """The wall is the services' own declaration (``x-cheyou-audiences``); the gateway keeps no role list."""

    @pytest.mark.parametrize("role", [Role.MEMBER, Role.OPS, Role.ADMIN, Role.MERCHANT])
    def test_a_segment_whose_service_declares_no_audience_is_closed_to_every_caller(self, role: Role) -> None:
        with pytest.raises(RoleNotAllowed):
            authorize(Principal(subject="someone", role=role), "undeclared", frozenset(), None)

    def test_services_pass_the_wall_and_are_checked_by_the_service_they_call(self) -> None:
        authorize(Principal(subject="service:gateway", role=Role.SERVICE), "undeclared", frozenset(), None)

    async def test_the_roles_come_from_the_services_documents(
        self, client: httpx.AsyncClient, as_role: dict[str, dict[str, str]]
    ) -> None:
        document = (await client.get("/openapi.json")).json()
        visits = (await client.get("/api/v1/visits/echo", headers=as_role["reviewer"])).status_code

        assert AUDIENCES_EXTENSION not in document  # the public document stays as it was
        assert visits == 200  # staff reach what member-svc declares for staff
