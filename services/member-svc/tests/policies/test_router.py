import uuid

import httpx
from cheyou_events.catalogue.policy import PolicyIssued
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.policies import service
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import policy_issued  # noqa: TID252


class TestGetPolicy:
    async def test_without_the_gateways_identity_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/policies/P1")

        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_merchant_may_not_read_policies(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("member-svc", Role.MERCHANT, merchant_id=uuid.uuid4())

        response = await client.get("/api/v1/policies/P1", headers=headers)

        assert response.status_code == 403

    async def test_a_token_for_another_service_is_refused(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            "/api/v1/policies/P1", headers=identities.headers("claims-svc", Role.ADMIN)
        )

        assert response.status_code == 401

    async def test_unknown_policy_is_404(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await client.get(
            "/api/v1/policies/nope", headers=identities.headers("member-svc", Role.OPS)
        )

        assert response.status_code == 404
        assert response.json()["type"].endswith("/not-found")


class TestRecordIssued:
    async def test_an_issued_policy_is_active(self, session: AsyncSession) -> None:
        event: PolicyIssued = policy_issued("C1", f"P{uuid.uuid4().hex[:8]}")

        await service.record_issued(session, event)

        policy = await service.get(session, event.policy_no)
        assert policy.status == "active"
        assert policy.ends_on == event.ends_on
