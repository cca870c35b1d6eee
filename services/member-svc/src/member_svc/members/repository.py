from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import Date, cast, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.china_time import day_of
from member_svc.members.models import Member, PiiRead, Vehicle


async def get(session: AsyncSession, member_id: uuid.UUID, *, for_update: bool = False) -> Member | None:
    statement = select(Member).where(Member.id == member_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def by_id_hash(session: AsyncSession, id_hash: str, *, for_update: bool = False) -> Member | None:
    statement = select(Member).where(Member.id_hash == id_hash)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def by_phone_hash(session: AsyncSession, phone_hash: str) -> Member | None:
    return (await session.scalars(select(Member).where(Member.phone_hash == phone_hash))).one_or_none()


async def by_openid(session: AsyncSession, openid: str) -> Member | None:
    return (await session.scalars(select(Member).where(Member.openid == openid))).one_or_none()


async def by_referral_code(session: AsyncSession, code: str) -> Member | None:
    return (await session.scalars(select(Member).where(Member.referral_code == code))).one_or_none()


async def set_referral_code(session: AsyncSession, member_id: uuid.UUID, code: str) -> bool:
    """Give the member this code unless another member has it (False then: draw another)."""
    try:
        async with session.begin_nested():
            await session.execute(
                update(Member)
                .where(Member.id == member_id, Member.referral_code.is_(None))
                .values(referral_code=code)
            )
    except IntegrityError:
        return False
    return True


async def add(session: AsyncSession, member: Member) -> None:
    session.add(member)
    await session.flush()


def replace_vehicles(member: Member, vehicles: Sequence[dict[str, Any]]) -> None:
    """Make the member's vehicles exactly these (by plate; the last of a repeated plate wins).

    Rows of plates that stay are updated in place: a delete and insert of the same plate in one flush
    would break the (member, plate) unique constraint, since inserts are flushed before deletes."""
    wanted = {v["plate"]: v for v in vehicles}
    kept = {v.plate: v for v in member.vehicles if v.plate in wanted}
    for plate, values in wanted.items():
        if plate in kept:
            for field, value in values.items():
                setattr(kept[plate], field, value)
        else:
            kept[plate] = Vehicle(**values)
    member.vehicles = [kept[plate] for plate in wanted]


async def set_manager(session: AsyncSession, member_id: uuid.UUID, manager_id: str | None) -> None:
    await session.execute(update(Member).where(Member.id == member_id).values(manager_id=manager_id))


async def record_pii_read(session: AsyncSession, **values: Any) -> None:
    session.add(PiiRead(**values))
    await session.flush()


async def pii_reads(session: AsyncSession, member_id: uuid.UUID) -> Sequence[PiiRead]:
    result = await session.scalars(select(PiiRead).where(PiiRead.member_id == member_id).order_by(PiiRead.id))
    return result.all()


async def search(
    session: AsyncSession,
    *,
    cursor: str | None,
    limit: int,
    tier: str | None = None,
    status: str | None = None,
    interest: str | None = None,
    gender: str | None = None,
    region_code: str | None = None,
    join_channel: str | None = None,
    manager_id: str | None = None,
) -> Slice[Member]:
    statement = select(Member)
    if tier is not None:
        statement = statement.where(Member.tier == tier)
    if status is not None:
        statement = statement.where(Member.status == status)
    if interest is not None:
        statement = statement.where(Member.interests.contains([interest]))
    if gender is not None:
        statement = statement.where(Member.gender == gender)
    if region_code is not None:
        statement = statement.where(Member.region_code.startswith(region_code.rstrip("0") or region_code))
    if join_channel is not None:
        statement = statement.where(Member.join_channel == join_channel)
    if manager_id is not None:
        statement = statement.where(Member.manager_id == manager_id)
    return await paginate(session, statement, cursor, limit, by=(Member.id,))


async def count_by_tier_and_status(session: AsyncSession) -> list[tuple[str, str, int]]:
    statement = select(Member.tier, Member.status, func.count()).group_by(Member.tier, Member.status)
    return [(tier, status, int(n)) for tier, status, n in (await session.execute(statement)).all()]


async def joins_by_period(
    session: AsyncSession, period: str, since: date, until: date
) -> list[tuple[date, str, int, int]]:
    """Registrations (invitations not taken up excluded) per period start (China time) and join route,
    with how many of them are verified now."""
    day = day_of(Member.joined_at)
    start = cast(func.date_trunc(period, day), Date)
    statement = (
        select(start, Member.join_channel, func.count(), func.count().filter(Member.status == "verified"))
        .where(Member.status != "invited", day >= since, day <= until)
        .group_by(start, Member.join_channel)
        .order_by(start, Member.join_channel)
    )
    return [(d, channel, int(n), int(v)) for d, channel, n, v in (await session.execute(statement)).all()]
