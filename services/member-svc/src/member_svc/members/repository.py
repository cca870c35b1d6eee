from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

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


async def add(session: AsyncSession, member: Member) -> None:
    session.add(member)
    await session.flush()


def replace_vehicles(member: Member, vehicles: Sequence[tuple[str, str | None]]) -> None:
    member.vehicles = [Vehicle(plate=plate, vin=vin) for plate, vin in dict(vehicles).items()]


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
    after: uuid.UUID | None,
    limit: int,
    tier: str | None = None,
    status: str | None = None,
    interest: str | None = None,
    gender: str | None = None,
    region_code: str | None = None,
    join_channel: str | None = None,
    manager_id: str | None = None,
) -> Sequence[Member]:
    statement = select(Member).order_by(Member.id).limit(limit)
    if after is not None:
        statement = statement.where(Member.id > after)
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
    return (await session.scalars(statement)).all()
