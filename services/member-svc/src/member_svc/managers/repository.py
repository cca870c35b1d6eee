from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.china_time import day_of
from member_svc.managers.models import Assignment, ManagerProfile, ManagerTask, Visit
from member_svc.members.models import Member

STAR_TIERS = ("three_star", "four_star", "five_star")


async def get(session: AsyncSession, staff_id: str) -> ManagerProfile | None:
    return await session.get(ManagerProfile, staff_id)


async def by_invite_code(session: AsyncSession, code: str) -> ManagerProfile | None:
    statement = select(ManagerProfile).where(ManagerProfile.invite_code == code.strip().upper())
    return (await session.scalars(statement)).one_or_none()


async def add(session: AsyncSession, profile: ManagerProfile) -> None:
    session.add(profile)
    await session.flush()


async def in_team(session: AsyncSession, team: str) -> Sequence[ManagerProfile]:
    result = await session.scalars(
        select(ManagerProfile).where(ManagerProfile.team == team).order_by(ManagerProfile.staff_id)
    )
    return result.all()


async def all_profiles(session: AsyncSession) -> Sequence[ManagerProfile]:
    return (await session.scalars(select(ManagerProfile).order_by(ManagerProfile.staff_id))).all()


async def add_assignment(session: AsyncSession, assignment: Assignment) -> None:
    session.add(assignment)
    await session.flush()


async def assignments(session: AsyncSession, member_id: uuid.UUID) -> Sequence[Assignment]:
    result = await session.scalars(
        select(Assignment).where(Assignment.member_id == member_id).order_by(Assignment.id.desc())
    )
    return result.all()


async def add_visit(session: AsyncSession, visit: Visit) -> None:
    session.add(visit)
    await session.flush()


async def visits(
    session: AsyncSession,
    *,
    manager_id: str | None,
    member_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Visit]:
    statement = select(Visit)
    if manager_id is not None:
        statement = statement.where(Visit.manager_id == manager_id)
    if member_id is not None:
        statement = statement.where(Visit.member_id == member_id)
    return await paginate(session, statement, cursor, limit, by=(Visit.visited_at, Visit.id), descending=True)


async def add_task(session: AsyncSession, values: dict[str, Any]) -> None:
    from sqlalchemy.dialects.postgresql import insert

    await session.execute(
        insert(ManagerTask).values(**values).on_conflict_do_nothing(index_elements=["kind", "source_ref"])
    )


async def tasks(session: AsyncSession, manager_id: str, status: str | None) -> Sequence[ManagerTask]:
    statement = select(ManagerTask).where(ManagerTask.manager_id == manager_id).order_by(ManagerTask.due_on)
    if status is not None:
        statement = statement.where(ManagerTask.status == status)
    return (await session.scalars(statement)).all()


async def get_task(session: AsyncSession, task_id: uuid.UUID) -> ManagerTask | None:
    return await session.get(ManagerTask, task_id, with_for_update=True)


async def star_members_with_visits(
    session: AsyncSession, manager_id: str, since: datetime
) -> list[tuple[uuid.UUID, str, str, int, datetime | None]]:
    """(member, tier, masked name, visits since, last visit) of the manager's star members."""
    statement = (
        select(
            Member.id,
            Member.tier,
            Member.name_masked,
            func.count(Visit.id).filter(Visit.visited_at >= since),
            func.max(Visit.visited_at),
        )
        .outerjoin(Visit, (Visit.member_id == Member.id) & (Visit.manager_id == manager_id))
        .where(Member.manager_id == manager_id, Member.tier.in_(STAR_TIERS), Member.status == "verified")
        .group_by(Member.id)
        .order_by(Member.id)
    )
    return [(m, t, n, int(c), last) for m, t, n, c, last in (await session.execute(statement)).all()]


async def visit_counts(
    session: AsyncSession, manager_ids: Sequence[str], since: datetime, until: datetime
) -> list[tuple[str, str, int]]:
    statement = (
        select(Visit.manager_id, Visit.kind, func.count())
        .where(Visit.manager_id.in_(manager_ids), Visit.visited_at >= since, Visit.visited_at < until)
        .group_by(Visit.manager_id, Visit.kind)
    )
    return [(m, k, int(n)) for m, k, n in (await session.execute(statement)).all()]


async def star_member_counts(session: AsyncSession, manager_ids: Sequence[str]) -> dict[str, int]:
    statement = (
        select(Member.manager_id, func.count())
        .where(Member.manager_id.in_(manager_ids), Member.tier.in_(STAR_TIERS), Member.status == "verified")
        .group_by(Member.manager_id)
    )
    return {str(m): int(n) for m, n in (await session.execute(statement)).all()}


async def joins_by_manager(
    session: AsyncSession, manager_ids: Sequence[str], since: datetime, until: datetime
) -> dict[str, int]:
    statement = (
        select(Member.invited_by_manager_id, func.count())
        .where(
            Member.invited_by_manager_id.in_(manager_ids),
            Member.joined_at >= since,
            Member.joined_at < until,
            Member.status != "invited",
        )
        .group_by(Member.invited_by_manager_id)
    )
    return {str(m): int(n) for m, n in (await session.execute(statement)).all()}


async def joins_by_unit(session: AsyncSession, since: datetime, until: datetime) -> dict[str, int]:
    day = day_of(Member.joined_at)
    statement = (
        select(Member.join_unit, func.count())
        .where(
            Member.join_unit.is_not(None), Member.status != "invited", day >= since.date(), day < until.date()
        )
        .group_by(Member.join_unit)
    )
    return {str(u): int(n) for u, n in (await session.execute(statement)).all()}


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end
