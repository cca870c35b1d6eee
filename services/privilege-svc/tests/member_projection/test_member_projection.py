"""privilege-svc follows member tiers from ``member.events``; members read only their own tier."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberVerified, TierChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.member_projection import service
from sqlalchemy.ext.asyncio import AsyncSession

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def tier_changed(member_id: str, to: Tier, at: datetime) -> TierChanged:
    return TierChanged(
        member_id=member_id,
        from_tier=Tier.ORDINARY,
        to_tier=to,
        contribution_fen=500_000,
        reason="policy_renewed",
        changed_at=at,
    )


class TestTierProjection:
    async def test_a_tier_change_on_the_topic_reaches_the_members_tier(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        member_id = str(uuid.uuid4())
        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(tier_changed(member_id, Tier.THREE_STAR, T0), source="member-svc"),
        )
        headers = identities.headers("privilege-svc", Role.MEMBER, member_id=member_id)

        async def tier() -> str | None:
            response = await client.get(f"/api/v1/entitlements/{member_id}/tier", headers=headers)
            return response.json()["tier"] if response.status_code == 200 else None

        assert await eventually(tier) == "three_star"

    async def test_an_older_change_arriving_late_does_not_win(self, session: AsyncSession) -> None:
        member_id = str(uuid.uuid4())

        await service.apply_tier_change(session, tier_changed(member_id, Tier.FIVE_STAR, T0))
        await service.apply_tier_change(
            session, tier_changed(member_id, Tier.ORDINARY, T0 - timedelta(days=1))
        )

        current = await service.get_tier(session, member_id)
        assert current is not None
        assert current.tier == "five_star"

    async def test_a_member_verified_without_a_policy_is_a_prospective_customer(
        self, session: AsyncSession
    ) -> None:
        member_id = str(uuid.uuid4())

        await service.note_verified(session, verified(member_id, T0))

        current = await service.get_tier(session, member_id)
        assert current is not None
        assert (current.tier, current.changed_at, current.year_starts_on) == ("prospective", None, T0.date())

    async def test_the_tier_announced_with_the_verification_follows_it(self, session: AsyncSession) -> None:
        member_id = str(uuid.uuid4())

        await service.note_verified(session, verified(member_id, T0))
        # member-svc dates a tier from a policy by the policy: here issued long before the verification.
        await service.apply_tier_change(
            session, tier_changed(member_id, Tier.THREE_STAR, T0 - timedelta(days=300))
        )

        current = await service.get_tier(session, member_id)
        assert current is not None
        assert (current.tier, current.changed_at) == ("three_star", T0 - timedelta(days=300))

    async def test_a_verification_arriving_after_a_tier_change_keeps_the_tier(
        self, session: AsyncSession
    ) -> None:
        member_id = str(uuid.uuid4())

        await service.apply_tier_change(session, tier_changed(member_id, Tier.FOUR_STAR, T0))
        await service.note_verified(session, verified(member_id, T0 + timedelta(seconds=1)))

        assert await service.tier_of(session, member_id) == Tier.FOUR_STAR


def verified(member_id: str, at: datetime) -> MemberVerified:
    return MemberVerified(member_id=member_id, reviewer_id=str(uuid.uuid4()), verified_at=at)


class TestReadTier:
    async def test_a_member_cannot_read_someone_elses_tier(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("privilege-svc", Role.MEMBER, member_id=uuid.uuid4())

        response = await client.get(f"/api/v1/entitlements/{uuid.uuid4()}/tier", headers=headers)

        assert response.status_code == 404

    async def test_a_manager_reads_tiers_in_member_svc_not_here(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        """This service cannot tell a manager's customers from anyone else's, so it shows them none."""
        headers = identities.headers("privilege-svc", Role.MANAGER, staff_id="manager2")

        response = await client.get(f"/api/v1/entitlements/{uuid.uuid4()}/tier", headers=headers)

        assert response.status_code == 403

    async def test_a_surveyor_has_no_business_with_tiers(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("privilege-svc", Role.SURVEYOR)

        response = await client.get(f"/api/v1/entitlements/{uuid.uuid4()}/tier", headers=headers)

        assert response.status_code == 403
