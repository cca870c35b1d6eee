"""claims-svc knows which policy covers a customer on a day, from the core policy feed."""

import uuid
from datetime import UTC, date, datetime

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyEndorsed,
    PolicyIssued,
    PolicyLine,
    VehicleKind,
)
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from claims_svc.config import Settings
from claims_svc.cover import service
from sqlalchemy.ext.asyncio import AsyncSession

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def issued(customer_no: str, policy_no: str) -> PolicyIssued:
    return PolicyIssued(
        policy_no=policy_no,
        customer_no=customer_no,
        line=PolicyLine.COMMERCIAL,
        vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
        premium_fen=280_000,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        branch_code="350100",
        issued_at=AT,
    )


class TestCover:
    async def test_a_policy_on_the_feed_covers_its_period_for_claims_staff(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        customer, policy = f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:8]}"
        await publish(
            service_settings.kafka_bootstrap_servers, Envelope.new(issued(customer, policy), source="core")
        )
        surveyor = identities.headers("claims-svc", Role.SURVEYOR)

        async def covering() -> list[dict[str, str]] | None:
            response = await client.get(
                f"/api/v1/cover/{customer}", params={"on": "2026-06-01"}, headers=surveyor
            )
            return response.json() or None

        assert [c["policy_no"] for c in await eventually(covering)] == [policy]
        outside = await client.get(f"/api/v1/cover/{customer}", params={"on": "2027-01-01"}, headers=surveyor)
        assert outside.json() == []

    async def test_a_cancelled_policy_covers_nothing(self, session: AsyncSession) -> None:
        await service.record_policy(session, issued("C-cancel", "P-cancel"))
        await service.record_cancellation(
            session,
            PolicyCancelled(
                policy_no="P-cancel", customer_no="C-cancel", reason="sold", refund_fen=0, cancelled_at=AT
            ),
        )

        assert await service.covering(session, "C-cancel", date(2026, 6, 1)) == []

    async def test_members_cannot_query_cover(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("claims-svc", Role.MEMBER, member_id=uuid.uuid4())

        response = await client.get("/api/v1/cover/C1", params={"on": "2026-06-01"}, headers=headers)

        assert response.status_code == 403

    async def test_an_endorsement_moves_the_cover_to_the_new_plate(self, session: AsyncSession) -> None:
        await service.record_policy(
            session, issued("C-endorse", "P-endorse").model_copy(update={"plate": "闽A11111"})
        )
        await service.record_endorsement(
            session,
            PolicyEndorsed(
                policy_no="P-endorse",
                customer_no="C-endorse",
                endorsement_no="E1",
                reason="换车",
                plate="闽A·22222",
                endorsed_at=AT,
            ),
        )

        at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
        old = await service.motor_cover_at(session, policy_no=None, plate="闽A11111", at=at, on=at.date())
        new = await service.motor_cover_at(session, policy_no=None, plate="闽A22222", at=at, on=at.date())
        assert old == []
        assert [p.policy_no for p in new] == ["P-endorse"]

    async def test_a_policy_cancelled_after_the_loss_still_covers_it(self, session: AsyncSession) -> None:
        await service.record_policy(session, issued("C-later", "P-later"))
        await service.record_cancellation(
            session,
            PolicyCancelled(
                policy_no="P-later",
                customer_no="C-later",
                reason="sold",
                refund_fen=0,
                cancelled_at=datetime(2026, 7, 1, tzinfo=UTC),
            ),
        )

        loss = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
        covering = await service.motor_cover_at(
            session, policy_no="P-later", plate=None, at=loss, on=loss.date()
        )
        assert [p.policy_no for p in covering] == ["P-later"]
