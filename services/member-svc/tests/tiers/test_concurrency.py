"""Two events of one member handled at the same time decide its tier from everything committed."""

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from cheyou_events.catalogue.claims import ClaimSettled
from cheyou_events.catalogue.policy import PolicyLine, PolicyRenewed, VehicleKind
from cheyou_kit.db import create_engine, create_session_factory
from cheyou_kit.testing import SuiteInfrastructure, eventually, migrated_database
from member_svc.members.models import Member
from member_svc.policies import service as policies_service
from member_svc.tiers import service
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .test_service import NOW, issue, verified_member


async def test_a_claim_settled_while_a_renewal_commits_keeps_the_renewals_tier(
    infra: SuiteInfrastructure,
) -> None:
    """The soak's finding: a renewal lifted the member to four stars while a settled claim of the same
    member was being handled on another topic; the claim's evaluation, decided from a view without the
    renewal, wrote ordinary back over it (no history, no event: the other services kept four stars).
    Committed transactions, so a database of its own (the suite's is shared with the app's tests)."""
    engine = create_engine(await migrated_database(infra, Path(__file__).parents[2], "member_race"))
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            member = await verified_member(session)
            first = f"P-{member.id.hex[:10]}"
            await issue(session, member, first, 400_000)

        renewal = sessions()
        await renewal.begin()
        await policies_service.record_issued(renewal, _renewal(member, first, 1_400_000))
        # The renewal holds the member's row (its tier moved) and has not committed yet.

        settling = asyncio.create_task(_settle_a_claim(sessions, member))
        await _until_a_transaction_waits_for_a_lock(sessions)
        await renewal.commit()
        await renewal.close()
        await settling

        async with sessions() as session, session.begin():
            stored = await session.get(Member, member.id)
            assert stored is not None
            assert stored.tier == "four_star"
            # What the rules give over both (the renewal and the claim) is what is stored.
            assert await service.reevaluate(session, [member.id], reason="recalculation", now=NOW) == []
    finally:
        await engine.dispose()


def _renewal(member: Member, previous: str, premium_fen: int) -> PolicyRenewed:
    return PolicyRenewed(
        policy_no=f"R-{member.id.hex[:10]}",
        previous_policy_no=previous,
        customer_no=f"C-{member.id}",
        line=PolicyLine.COMMERCIAL,
        vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
        premium_fen=premium_fen,
        starts_on=NOW.date(),
        ends_on=NOW.date() + timedelta(days=364),
        branch_code="350100",
        renewed_at=NOW,
        holder_id_hash=member.id_hash,
    )


async def _settle_a_claim(sessions: async_sessionmaker[AsyncSession], member: Member) -> None:
    async with sessions() as session, session.begin():
        await policies_service.record_claim_settled(
            session,
            ClaimSettled(
                claim_id=str(uuid.uuid4()),
                member_id=str(member.id),
                amount_fen=180_000,
                settled_at=NOW,
            ),
        )


async def _until_a_transaction_waits_for_a_lock(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def waiting() -> bool:
        async with sessions() as session:
            count = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
            return bool(count)

    await eventually(waiting, 30, what="the claim's transaction to wait for the member's row")
