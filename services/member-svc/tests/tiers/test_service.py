import os
from datetime import UTC, date, datetime, timedelta

from cheyou_events.catalogue.policy import PolicyCancelled, PolicyIssued, PolicyLine, VehicleKind
from cheyou_events.fieldcrypt import Keyring
from member_svc.members import repository as members_repository
from member_svc.members import service as members_service
from member_svc.members.models import Member
from member_svc.members.schemas import MemberCreate
from member_svc.pii import PiiCipher
from member_svc.policies import service as policies_service
from member_svc.tiers import repository, service
from member_svc.tiers.models import DowngradeNotice
from member_svc.tiers.schemas import FloorSet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import registration  # noqa: TID252

PII = PiiCipher(Keyring([os.urandom(32)]), os.urandom(32))
NOW = datetime.now(UTC)


async def verified_member(session: AsyncSession) -> Member:
    member = await members_service.register(session, PII, MemberCreate.model_validate(registration()), NOW)
    await members_service.mark_verified(session, PII, member, "reviewer1", NOW)
    return member


async def issue(session: AsyncSession, member: Member, policy_no: str, premium_fen: int) -> None:
    await policies_service.record_issued(
        session,
        PolicyIssued(
            policy_no=policy_no,
            customer_no=f"C-{member.id}",
            line=PolicyLine.COMMERCIAL,
            vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
            premium_fen=premium_fen,
            starts_on=NOW.date() - timedelta(days=30),
            ends_on=NOW.date() + timedelta(days=335),
            branch_code="350100",
            issued_at=NOW,
            holder_id_hash=member.id_hash,
        ),
    )


async def tier_of(session: AsyncSession, member: Member) -> tuple[str, date | None]:
    fresh = await members_repository.get(session, member.id)
    assert fresh is not None
    await session.refresh(fresh)
    return fresh.tier, fresh.downgrade_due_on


class TestReevaluate:
    async def test_an_upgrade_is_at_once_and_a_downgrade_waits_for_the_evaluation_after_the_grace(
        self, session: AsyncSession
    ) -> None:
        member = await verified_member(session)
        await issue(session, member, f"P-{member.id.hex[:10]}", 700_000)
        assert await tier_of(session, member) == ("three_star", None)

        await policies_service.record_cancelled(
            session,
            PolicyCancelled(
                policy_no=f"P-{member.id.hex[:10]}",
                customer_no=f"C-{member.id}",
                reason="sold",
                refund_fen=0,
                cancelled_at=NOW,
            ),
        )
        grace_end = NOW.date() + timedelta(days=30)
        assert await tier_of(session, member) == ("three_star", grace_end)

        early = await service.reevaluate(
            session, [member.id], reason="recalculation", now=NOW, apply_downgrades=True
        )
        assert early == []
        late = NOW + timedelta(days=31)
        changes = await service.reevaluate(
            session, [member.id], reason="recalculation", now=late, apply_downgrades=True
        )

        assert [(c.from_tier, c.to_tier) for c in changes] == [("three_star", "prospective")]
        assert [h.reason for h in await repository.history(session, member.id)][:1] == ["recalculation"]

    async def test_a_manual_floor_holds_the_tier_until_it_expires(self, session: AsyncSession) -> None:
        member = await verified_member(session)
        expires = NOW.date() + timedelta(days=60)

        await service.set_floor(
            session, member, FloorSet(tier="five_star", reason="VIP", expires_on=expires), "ops1", NOW
        )
        during = await service.reevaluate(
            session, [member.id], reason="recalculation", now=NOW + timedelta(days=50), apply_downgrades=True
        )
        await service.reevaluate(session, [member.id], reason="recalculation", now=NOW + timedelta(days=61))
        after = await service.reevaluate(
            session, [member.id], reason="recalculation", now=NOW + timedelta(days=92), apply_downgrades=True
        )

        assert during == []
        assert [(c.from_tier, c.to_tier) for c in after] == [("five_star", "prospective")]


class TestDowngradeNotice:
    async def test_a_scheduled_downgrade_is_recorded_once_and_cleared_by_a_recovery(
        self, session: AsyncSession
    ) -> None:
        member = await verified_member(session)
        await issue(session, member, f"P-{member.id.hex[:10]}", 700_000)
        await policies_service.record_cancelled(
            session,
            PolicyCancelled(
                policy_no=f"P-{member.id.hex[:10]}",
                customer_no=f"C-{member.id}",
                reason="sold",
                refund_fen=0,
                cancelled_at=NOW,
            ),
        )
        await service.reevaluate(session, [member.id], reason="recalculation", now=NOW + timedelta(days=1))

        notice = await repository.latest_notice(session, member.id)
        assert notice is not None
        assert (notice.from_tier, notice.to_tier, notice.contribution_needed_fen) == (
            "three_star",
            "prospective",
            None,
        )
        assert notice.effective_on == NOW.date() + timedelta(days=30)
        assert await notices(session, member) == 1

        await issue(session, member, f"Q-{member.id.hex[:10]}", 700_000)
        assert await tier_of(session, member) == ("three_star", None)


async def notices(session: AsyncSession, member: Member) -> int:
    result = await session.execute(
        select(func.count()).select_from(DowngradeNotice).where(DowngradeNotice.member_id == member.id)
    )
    return int(result.scalar_one())
