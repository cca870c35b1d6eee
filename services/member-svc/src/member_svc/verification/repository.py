from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.china_time import day_of
from member_svc.verification.models import VerificationCallback, VerificationTask

QUEUED, CLAIMED, RETURNED, APPROVED, REJECTED = "queued", "claimed", "returned", "approved", "rejected"


def _claimable(now: datetime) -> Any:
    """Queued and due, or claimed under a lease that ran out (the task is back in the queue)."""
    return or_(
        and_(
            VerificationTask.status == QUEUED,
            or_(VerificationTask.not_before.is_(None), VerificationTask.not_before <= now),
        ),
        and_(VerificationTask.status == CLAIMED, VerificationTask.lease_expires_at <= now),
    )


async def enqueue(session: AsyncSession, member_id: uuid.UUID, now: datetime) -> None:
    """A new application, or a new one after a rejection: one task row per member, reopened."""
    fresh: dict[str, Any] = {
        "status": QUEUED,
        "claimed_by": None,
        "lease_expires_at": None,
        "not_before": None,
        "fix_fields": [],
        "message": None,
        "decided_by": None,
        "decided_at": None,
        "updated_at": now,
    }
    statement = insert(VerificationTask).values(id=uuid.uuid4(), member_id=member_id, created_at=now, **fresh)
    await session.execute(statement.on_conflict_do_update(index_elements=["member_id"], set_=fresh))


async def requeue(session: AsyncSession, member_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(VerificationTask)
        .where(VerificationTask.member_id == member_id, VerificationTask.status == RETURNED)
        .values(status=QUEUED, claimed_by=None, lease_expires_at=None, not_before=None, updated_at=now)
    )


async def held_by(session: AsyncSession, member_id: uuid.UUID, reviewer: str) -> bool:
    task = await session.scalar(
        select(VerificationTask.id).where(
            VerificationTask.member_id == member_id,
            VerificationTask.status == CLAIMED,
            VerificationTask.claimed_by == reviewer,
            VerificationTask.lease_expires_at > func.now(),
        )
    )
    return task is not None


async def claim_next(
    session: AsyncSession, reviewer: str, lease_until: datetime, now: datetime
) -> VerificationTask | None:
    """The oldest claimable task, locked so that concurrent claims skip it instead of waiting."""
    statement = (
        select(VerificationTask)
        .where(_claimable(now))
        .order_by(
            func.coalesce(VerificationTask.not_before, VerificationTask.created_at), VerificationTask.id
        )
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    task = (await session.scalars(statement)).one_or_none()
    if task is None:
        return None
    task.status, task.claimed_by, task.lease_expires_at, task.updated_at = CLAIMED, reviewer, lease_until, now
    await session.flush()
    return task


async def get(
    session: AsyncSession, task_id: uuid.UUID, *, for_update: bool = False
) -> VerificationTask | None:
    statement = select(VerificationTask).where(VerificationTask.id == task_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def by_member(session: AsyncSession, member_id: uuid.UUID) -> VerificationTask | None:
    return (
        await session.scalars(select(VerificationTask).where(VerificationTask.member_id == member_id))
    ).one_or_none()


async def add_callback(session: AsyncSession, callback: VerificationCallback) -> None:
    session.add(callback)
    await session.flush()


async def callbacks(session: AsyncSession, task_id: uuid.UUID) -> Sequence[VerificationCallback]:
    result = await session.scalars(
        select(VerificationCallback)
        .where(VerificationCallback.task_id == task_id)
        .order_by(VerificationCallback.called_at)
    )
    return result.all()


async def page(
    session: AsyncSession, status: str | None, cursor: str | None, limit: int
) -> Slice[VerificationTask]:
    statement = select(VerificationTask)
    if status is not None:
        statement = statement.where(VerificationTask.status == status)
    return await paginate(
        session, statement, cursor, limit, by=(VerificationTask.created_at, VerificationTask.id)
    )


async def waiting(session: AsyncSession, now: datetime) -> int:
    return int(await session.scalar(select(func.count()).where(_claimable(now))) or 0)


async def in_progress(session: AsyncSession, now: datetime) -> int:
    statement = select(func.count()).where(
        VerificationTask.status == CLAIMED, VerificationTask.lease_expires_at > now
    )
    return int(await session.scalar(statement) or 0)


async def callbacks_per_reviewer_day(
    session: AsyncSession, since: date, until: date
) -> list[tuple[str, date, int]]:
    day = day_of(VerificationCallback.called_at)
    statement = (
        select(VerificationCallback.reviewer_id, day, func.count())
        .where(day >= since, day <= until)
        .group_by(VerificationCallback.reviewer_id, day)
        .order_by(day, VerificationCallback.reviewer_id)
    )
    return [(r, d, int(n)) for r, d, n in (await session.execute(statement)).all()]


async def decisions(session: AsyncSession, since: date, until: date) -> tuple[int, int]:
    day = day_of(VerificationTask.decided_at)
    statement = select(
        func.count(case((VerificationTask.status == APPROVED, 1))),
        func.count(case((VerificationTask.status == REJECTED, 1))),
    ).where(day >= since, day <= until)
    approved, rejected = (await session.execute(statement)).one()
    return int(approved), int(rejected)


async def decisions_per_reviewer_day(
    session: AsyncSession, since: date, until: date
) -> list[tuple[str, date, int, int]]:
    """Approvals and rejections per reviewer per day (China time): (reviewer, day, approved, rejected)."""
    day = day_of(VerificationTask.decided_at)
    statement = (
        select(
            VerificationTask.decided_by,
            day,
            func.count(case((VerificationTask.status == APPROVED, 1))),
            func.count(case((VerificationTask.status == REJECTED, 1))),
        )
        .where(VerificationTask.decided_by.is_not(None), day >= since, day <= until)
        .group_by(VerificationTask.decided_by, day)
    )
    return [(str(r), d, int(a), int(j)) for r, d, a, j in (await session.execute(statement)).all()]
