from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import Text, bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.claims.lifecycle import OPEN
from claims_svc.claims.models import Claim, ClaimStep, claim_no_sequence
from claims_svc.surveys.models import SurveyTask

LOCK_NAMESPACE = 7_104  # claims-svc's advisory locks (the outbox uses its own namespace)


async def next_claim_number(session: AsyncSession) -> int:
    number: int = await session.scalar(select(claim_no_sequence.next_value()))  # type: ignore[assignment]
    return number


async def lock_vehicle(session: AsyncSession, keys: Sequence[str]) -> None:
    """Serialise reports of one policy or plate, so two at once cannot both miss each other."""
    key_column = func.unnest(bindparam("keys", sorted(set(keys)), type_=ARRAY(Text))).column_valued("k")
    await session.execute(
        select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, func.hashtext(key_column))).order_by(key_column)
    )


async def overlapping(
    session: AsyncSession, *, policy_no: str, plate: str | None, loss_at: datetime, window: timedelta
) -> Claim | None:
    same_vehicle = Claim.policy_no == policy_no
    if plate is not None:
        same_vehicle = or_(same_vehicle, Claim.plate == plate)
    result = await session.scalars(
        select(Claim)
        .where(
            same_vehicle,
            Claim.loss_at.between(loss_at - window, loss_at + window),
            Claim.status.in_([s.value for s in OPEN]),
        )
        .order_by(Claim.reported_at)
        .limit(1)
    )
    return result.first()


def add(session: AsyncSession, claim: Claim) -> None:
    session.add(claim)


async def get(session: AsyncSession, claim_id: uuid.UUID, *, for_update: bool = False) -> Claim | None:
    statement = select(Claim).where(Claim.id == claim_id)
    if for_update:
        statement = statement.with_for_update()
    result = await session.scalars(statement.execution_options(populate_existing=for_update))
    return result.first()


async def claim_no_of(session: AsyncSession, claim_id: uuid.UUID) -> str | None:
    return await session.scalar(select(Claim.claim_no).where(Claim.id == claim_id))


async def surveyor_may_see(
    session: AsyncSession, claim_id: uuid.UUID, surveyor_id: str, *, queued: bool = True
) -> bool:
    """Assigned to this surveyor (taken, or waiting for the member's re-shoot) or, with ``queued``, in the
    survey queue (not yet taken). A claim whose survey was decided has no task any more: nobody's."""
    mine = SurveyTask.surveyor_id == surveyor_id
    visible = exists().where(
        SurveyTask.claim_id == claim_id, or_(SurveyTask.status == "queued", mine) if queued else mine
    )
    return bool(await session.scalar(select(visible)))


async def page_of_member(
    session: AsyncSession, member_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Slice[Claim]:
    statement = select(Claim).where(Claim.member_id == member_id)
    return await paginate(
        session, statement, cursor, limit, by=(Claim.reported_at, Claim.id), descending=True
    )


def add_step(session: AsyncSession, step: ClaimStep) -> None:
    session.add(step)


async def steps(
    session: AsyncSession, claim_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Slice[ClaimStep]:
    statement = select(ClaimStep).where(ClaimStep.claim_id == claim_id)
    return await paginate(session, statement, cursor, limit, by=(ClaimStep.id,))
