from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.claims.models import Claim
from claims_svc.liability.models import LiabilityAssessment, LiabilityCode, LiabilityScenario

LOCK_NAMESPACE = 7_105  # per-phone serialisation of code sending (claims-svc's other locks: 7_104)


async def scenarios(session: AsyncSession, *, cursor: str | None, limit: int) -> Slice[LiabilityScenario]:
    return await paginate(
        session, select(LiabilityScenario), cursor, limit, by=(LiabilityScenario.sort_order,)
    )


async def scenarios_by_code(session: AsyncSession, codes: Sequence[str]) -> dict[str, LiabilityScenario]:
    result = await session.scalars(select(LiabilityScenario).where(LiabilityScenario.code.in_(codes)))
    return {s.code: s for s in result.all()}


async def assessment(session: AsyncSession, claim_id: uuid.UUID) -> LiabilityAssessment | None:
    return await session.get(LiabilityAssessment, claim_id)


def add(session: AsyncSession, assessment: LiabilityAssessment) -> None:
    session.add(assessment)


# --- the other party's codes ------------------------------------------------------------------------


async def lock_phone(session: AsyncSession, phone_index: str) -> None:
    """Serialise sending to one phone (across claims) until the transaction ends, so limits hold."""
    await session.execute(select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, func.hashtext(phone_index))))


async def last_code(session: AsyncSession, claim_id: uuid.UUID) -> LiabilityCode | None:
    result = await session.scalars(
        select(LiabilityCode)
        .where(LiabilityCode.claim_id == claim_id)
        .order_by(LiabilityCode.sent_at.desc())
        .limit(1)
    )
    return result.first()


async def open_code(session: AsyncSession, claim_id: uuid.UUID) -> LiabilityCode | None:
    """The code the other party may answer with now (the latest one sent, not yet used or replaced)."""
    code = await last_code(session, claim_id)
    return code if code is not None and code.closed_at is None else None


async def codes_of_claim(session: AsyncSession, claim_id: uuid.UUID) -> int:
    count: int = await session.scalar(
        select(func.count()).select_from(LiabilityCode).where(LiabilityCode.claim_id == claim_id)
    )  # type: ignore[assignment]
    return count


async def codes_to_phone(session: AsyncSession, phone_index: str, *, since: datetime) -> int:
    count: int = await session.scalar(
        select(func.count())
        .select_from(LiabilityCode)
        .where(LiabilityCode.phone_index == phone_index, LiabilityCode.sent_at > since)
    )  # type: ignore[assignment]
    return count


def add_code(session: AsyncSession, code: LiabilityCode) -> None:
    session.add(code)


async def close_codes(session: AsyncSession, claim_id: uuid.UUID, *, at: datetime, reason: str) -> None:
    await session.execute(
        update(LiabilityCode)
        .where(LiabilityCode.claim_id == claim_id, LiabilityCode.closed_at.is_(None))
        .values(closed_at=at, closed_reason=reason)
    )


# --- the deadline -----------------------------------------------------------------------------------


async def overdue(
    session: AsyncSession, *, now: datetime, limit: int
) -> Sequence[tuple[Claim, LiabilityAssessment]]:
    """Claims waiting for liability answers past their deadline, locked (others' rows are skipped)."""
    result = await session.execute(
        select(Claim, LiabilityAssessment)
        .join(LiabilityAssessment, LiabilityAssessment.claim_id == Claim.id)
        .where(
            Claim.status == "liability_pending",
            LiabilityAssessment.confirm_by <= now,
            or_(
                LiabilityAssessment.member_confirmed_at.is_(None),
                LiabilityAssessment.other_confirmed_at.is_(None),
            ),
        )
        .order_by(LiabilityAssessment.confirm_by)
        .limit(limit)
        .with_for_update(of=Claim, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return [(row[0], row[1]) for row in result.all()]
