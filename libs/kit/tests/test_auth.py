"""The kit's authorization rules, as a service's routes apply them: who is let through, who is told an
object is not known (404, so ids cannot be probed) and who is refused (403); and the audiences a service
publishes for the gateway."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from cheyou_kit.auth import (
    AUDIENCES_EXTENSION,
    MEMBERS_AND_STAFF,
    OPERATORS,
    STAFF_ROLES,
    Principal,
    PrincipalDep,
    Role,
    acting_member,
    audiences_of,
    ensure_member_or_staff,
    ensure_merchant_access,
    manages,
    merchant_of,
    publish_audiences,
    require_roles,
)
from cheyou_kit.errors import NotFound, install_problem_handlers
from cheyou_kit.identity import IdentityVerifier
from cheyou_kit.testing import Identities, sign_identity
from fastapi import APIRouter, Depends, FastAPI

A, B = uuid.uuid4(), uuid.uuid4()
MERCHANT_X, MERCHANT_Y = uuid.uuid4(), uuid.uuid4()
READERS = frozenset({Role.OPS, Role.ADMIN, Role.SERVICE})


class PointsNotFound(NotFound):
    slug = "points-not-found"


router = APIRouter(prefix="/api/v1")
OpsDep = Annotated[Principal, Depends(require_roles(*OPERATORS))]


@router.get("/points/{member_id}")
async def read_points(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, str]:
    ensure_member_or_staff(principal, member_id, staff=READERS, not_found=PointsNotFound)
    return {"member_id": str(member_id)}


@router.get("/orders/{member_id}")
async def read_orders(member_id: uuid.UUID, principal: PrincipalDep) -> dict[str, str]:
    ensure_member_or_staff(
        principal, member_id, staff=READERS, refuse_other_roles="this role never reads orders"
    )
    return {"member_id": str(member_id)}


@router.post("/orders")
async def place_order(principal: PrincipalDep) -> dict[str, str]:
    return {"member_id": str(acting_member(principal))}


@router.get("/merchants/{merchant_id}")
async def read_merchant(merchant_id: uuid.UUID, principal: PrincipalDep) -> dict[str, str]:
    ensure_merchant_access(principal, merchant_id)
    return {"merchant_id": str(merchant_id)}


@router.get("/merchant-api/me")
async def merchant_me(principal: PrincipalDep) -> dict[str, str]:
    return {"merchant_id": str(merchant_of(principal))}


@router.post("/campaigns")
async def create_campaign(principal: OpsDep) -> dict[str, str]:
    return {"created_by": principal.actor_id}


@router.get("/campaigns/{campaign_id}", include_in_schema=False)
async def hidden(campaign_id: str) -> dict[str, str]:
    return {"campaign_id": campaign_id}


def create_app(public_key: bytes) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.identity_verifier = IdentityVerifier(public_key, audience="demo-svc")
    app.include_router(router)
    return app


@pytest.fixture
def identities(tmp_path: Path) -> Identities:
    return Identities(tmp_path)


@pytest.fixture
async def client(identities: Identities) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(identities.public_key_file.read_bytes())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://svc",
        event_hooks={"request": [sign_identity]},
    ) as http:
        yield http


def caller(identities: Identities, who: str) -> dict[str, str]:
    callers: dict[str, tuple[Role, dict[str, object]]] = {
        "member A": (Role.MEMBER, {"member_id": A}),
        "member B": (Role.MEMBER, {"member_id": B}),
        "applicant": (Role.MEMBER, {}),
        "ops": (Role.OPS, {"staff_id": "ops1"}),
        "admin": (Role.ADMIN, {"staff_id": "admin"}),
        "service": (Role.SERVICE, {}),
        "manager": (Role.MANAGER, {"staff_id": "manager1"}),
        "reviewer": (Role.REVIEWER, {"staff_id": "reviewer1"}),
        "merchant X": (Role.MERCHANT, {"merchant_id": MERCHANT_X}),
        "merchant Y": (Role.MERCHANT, {"merchant_id": MERCHANT_Y}),
    }
    role, ids = callers[who]
    return identities.headers("demo-svc", role, None, **ids)


def problem(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["type"]).rsplit("/", 1)[-1]


class TestAMembersOwnThings:
    @pytest.mark.parametrize("who", ["member A", "ops", "admin", "service"])
    async def test_the_member_and_the_named_staff_read_them(
        self, client: httpx.AsyncClient, identities: Identities, who: str
    ) -> None:
        response = await client.get(f"/api/v1/points/{A}", headers=caller(identities, who))

        assert response.status_code == 200

    @pytest.mark.parametrize("who", ["member B", "applicant", "manager", "reviewer", "merchant X"])
    async def test_anyone_else_is_told_the_member_is_not_known(
        self, client: httpx.AsyncClient, identities: Identities, who: str
    ) -> None:
        response = await client.get(f"/api/v1/points/{A}", headers=caller(identities, who))

        assert problem(response) == (404, "points-not-found")

    async def test_a_member_probing_gets_the_same_answer_for_an_id_that_exists_and_one_that_does_not(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        existing = await client.get(f"/api/v1/points/{A}", headers=caller(identities, "member B"))
        made_up = await client.get(f"/api/v1/points/{uuid.uuid4()}", headers=caller(identities, "member B"))

        assert problem(existing) == problem(made_up) == (404, "points-not-found")

    @pytest.mark.parametrize(("who", "status"), [("manager", 403), ("merchant X", 403), ("member B", 404)])
    async def test_roles_that_never_read_them_can_be_refused_outright_while_members_still_get_a_404(
        self, client: httpx.AsyncClient, identities: Identities, who: str, status: int
    ) -> None:
        response = await client.get(f"/api/v1/orders/{A}", headers=caller(identities, who))

        assert response.status_code == status

    async def test_only_a_member_acts_for_themself(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await client.post("/api/v1/orders", headers=caller(identities, "member A"))
        applicant = await client.post("/api/v1/orders", headers=caller(identities, "applicant"))
        ops = await client.post("/api/v1/orders", headers=caller(identities, "ops"))

        assert member.json() == {"member_id": str(A)}
        assert applicant.status_code == ops.status_code == 403


class TestAMerchantsOwnObjects:
    @pytest.mark.parametrize("who", ["merchant X", "ops", "admin"])
    async def test_the_merchant_and_ops_reach_them(
        self, client: httpx.AsyncClient, identities: Identities, who: str
    ) -> None:
        response = await client.get(f"/api/v1/merchants/{MERCHANT_X}", headers=caller(identities, who))

        assert response.status_code == 200

    @pytest.mark.parametrize("who", ["merchant Y", "member A", "manager", "service"])
    async def test_anyone_else_is_told_the_merchant_is_not_known(
        self, client: httpx.AsyncClient, identities: Identities, who: str
    ) -> None:
        response = await client.get(f"/api/v1/merchants/{MERCHANT_X}", headers=caller(identities, who))

        assert problem(response) == (404, "not-found")

    async def test_the_merchant_api_knows_the_merchant_from_the_identity_alone(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        mine = await client.get("/api/v1/merchant-api/me", headers=caller(identities, "merchant Y"))
        ops = await client.get("/api/v1/merchant-api/me", headers=caller(identities, "ops"))

        assert mine.json() == {"merchant_id": str(MERCHANT_Y)}
        assert ops.status_code == 403


class TestAManagersOwnCustomers:
    def test_a_manager_manages_the_customers_assigned_to_their_staff_id(self) -> None:
        manager = Principal(subject="staff:manager1", role=Role.MANAGER, staff_id="manager1")

        assert manages(manager, "manager1")
        assert not manages(manager, "manager2")
        assert not manages(manager, None)

    def test_no_one_else_manages_them(self) -> None:
        ops = Principal(subject="staff:ops1", role=Role.OPS, staff_id="manager1")
        without_staff_id = Principal(subject="manager1", role=Role.MANAGER)

        assert not manages(ops, "manager1")
        assert not manages(without_staff_id, "manager1")


class TestRoles:
    @pytest.mark.parametrize(
        ("who", "status"), [("ops", 200), ("admin", 200), ("manager", 403), ("member A", 403)]
    )
    async def test_a_route_lets_only_its_roles_through(
        self, client: httpx.AsyncClient, identities: Identities, who: str, status: int
    ) -> None:
        response = await client.post("/api/v1/campaigns", headers=caller(identities, who))

        assert response.status_code == status

    async def test_without_the_gateways_identity_nobody_is_let_through(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/api/v1/campaigns")

        assert response.status_code == 401

    async def test_audit_records_the_staff_username_when_there_is_one_else_the_subject(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post("/api/v1/campaigns", headers=caller(identities, "ops"))

        assert response.json() == {"created_by": "ops1"}
        assert Principal(subject="merchant-key:k1", role=Role.MERCHANT).actor_id == "merchant-key:k1"


class TestAudiences:
    def test_the_document_names_who_may_reach_each_segment_and_the_rest_serve_members_and_staff(
        self, identities: Identities
    ) -> None:
        app = create_app(identities.public_key_file.read_bytes())
        publish_audiences(app, {"campaigns": STAFF_ROLES, "merchant-api": {Role.MERCHANT}})

        declared = audiences_of(app.openapi())

        assert declared == {
            "campaigns": frozenset(role.value for role in STAFF_ROLES),
            "merchant-api": frozenset({"merchant"}),
            "merchants": frozenset(role.value for role in MEMBERS_AND_STAFF),
            "orders": frozenset(role.value for role in MEMBERS_AND_STAFF),
            "points": frozenset(role.value for role in MEMBERS_AND_STAFF),
        }
        assert "merchant" not in declared["points"]

    def test_naming_a_segment_the_service_does_not_serve_fails_at_once(self, identities: Identities) -> None:
        app = create_app(identities.public_key_file.read_bytes())
        publish_audiences(app, {"campaign": STAFF_ROLES})

        with pytest.raises(ValueError, match="campaign"):
            app.openapi()

    def test_a_document_without_audiences_declares_none(self) -> None:
        assert audiences_of({"paths": {}}) == {}
        assert audiences_of({AUDIENCES_EXTENSION: "members"}) == {}
