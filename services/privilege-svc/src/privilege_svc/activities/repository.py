from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import ColumnElement, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.activities.models import Activity, ActivitySignup


async def add(session: AsyncSession, item: Activity | ActivitySignup) -> None:
    session.add(item)
    await session.flush()


async def get(session: AsyncSession, activity_id: uuid.UUID, *, for_update: bool = False) -> Activity | None:
    statement = select(Activity).where(Activity.id == activity_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def list_activities(
    session: AsyncSession,
    *,
    open_only: bool = False,
    tier: str | None = None,
    interests: list[str] | None = None,
    cursor: str | None,
    limit: int,
) -> Slice[Activity]:
    """With ``interests`` (a member's list): only activities targeting no tier or ``tier``, and no interest
    or one of ``interests``."""
    statement = select(Activity)
    if open_only:
        statement = statement.where(Activity.status == "open")
    if interests is not None:
        no_tiers = func.cardinality(Activity.target_tiers) == 0
        no_interests = func.cardinality(Activity.interests) == 0
        for_tier = Activity.target_tiers.contains([tier]) if tier is not None else literal(False)
        statement = statement.where(
            or_(no_tiers, for_tier), or_(no_interests, Activity.interests.overlap(interests))
        )
    return await paginate(
        session, statement, cursor, limit, by=(Activity.created_at, Activity.id), descending=True
    )


async def seats_taken(session: AsyncSession, activity_id: uuid.UUID) -> int:
    statement = select(func.coalesce(func.sum(ActivitySignup.party_size), 0)).where(
        ActivitySignup.activity_id == activity_id, ActivitySignup.status.in_(("confirmed", "attended"))
    )
    return int(await session.scalar(statement) or 0)


async def active_signup(
    session: AsyncSession, activity_id: uuid.UUID, member_id: str
) -> ActivitySignup | None:
    statement = select(ActivitySignup).where(
        ActivitySignup.activity_id == activity_id,
        ActivitySignup.member_id == member_id,
        ActivitySignup.status != "cancelled",
    )
    return await session.scalar(statement)


async def get_signup(session: AsyncSession, signup_id: uuid.UUID) -> ActivitySignup | None:
    statement = select(ActivitySignup).where(ActivitySignup.id == signup_id)
    return await session.scalar(statement.execution_options(populate_existing=True))


async def waitlist(session: AsyncSession, activity_id: uuid.UUID) -> Sequence[ActivitySignup]:
    statement = (
        select(ActivitySignup)
        .where(ActivitySignup.activity_id == activity_id, ActivitySignup.status == "waitlisted")
        .order_by(ActivitySignup.created_at, ActivitySignup.id)
    )
    return (await session.scalars(statement)).all()


async def list_signups(
    session: AsyncSession, activity_id: uuid.UUID, cursor: str | None, limit: int
) -> Slice[ActivitySignup]:
    statement = select(ActivitySignup).where(ActivitySignup.activity_id == activity_id)
    return await paginate(
        session, statement, cursor, limit, by=(ActivitySignup.created_at, ActivitySignup.id), descending=True
    )


async def stats(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[Activity, int, int, int, int]]:
    """Per activity starting in [since, until): seats taken, waitlisted, attended people, cancellations."""

    def total(status: tuple[str, ...], per_row: bool = False) -> ColumnElement[int]:
        value: ColumnElement[int] = literal(1) if per_row else ActivitySignup.party_size.expression
        return func.coalesce(func.sum(case((ActivitySignup.status.in_(status), value), else_=0)), 0)

    statement = (
        select(
            Activity,
            total(("confirmed", "attended")),
            total(("waitlisted",), per_row=True),
            total(("attended",)),
            total(("cancelled",), per_row=True),
        )
        .outerjoin(ActivitySignup, ActivitySignup.activity_id == Activity.id)
        .where(Activity.starts_at >= since, Activity.starts_at < until)
        .group_by(Activity.id)
        .order_by(Activity.starts_at, Activity.id)
    )
    return [(a, int(s), int(w), int(at), int(c)) for a, s, w, at, c in await session.execute(statement)]
