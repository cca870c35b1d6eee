from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.cover.models import MemberPolicy, PolicyCover

MOTOR_LINES = ("commercial", "compulsory")


async def upsert(
    session: AsyncSession,
    *,
    policy_no: str,
    customer_no: str,
    line: str,
    starts_on: date,
    ends_on: date,
    plate: str | None = None,
    vin: str | None = None,
    holder_id_hash: str | None = None,
) -> None:
    statement = insert(PolicyCover).values(
        policy_no=policy_no,
        customer_no=customer_no,
        line=line,
        starts_on=starts_on,
        ends_on=ends_on,
        plate=plate,
        vin=vin,
        holder_id_hash=holder_id_hash,
    )
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[PolicyCover.policy_no],
            set_={
                "starts_on": excluded.starts_on,
                "ends_on": excluded.ends_on,
                # an older feed without the vehicle fields must not erase what a newer one said
                "plate": func.coalesce(excluded.plate, PolicyCover.plate),
                "vin": func.coalesce(excluded.vin, PolicyCover.vin),
                "holder_id_hash": func.coalesce(excluded.holder_id_hash, PolicyCover.holder_id_hash),
            },
        )
    )


async def endorse(
    session: AsyncSession, policy_no: str, *, plate: str | None, vin: str | None, ends_on: date | None
) -> None:
    values: dict[str, object] = {}
    if plate is not None:
        values["plate"] = plate
    if vin is not None:
        values["vin"] = vin
    if ends_on is not None:
        values["ends_on"] = ends_on
    if values:
        await session.execute(update(PolicyCover).where(PolicyCover.policy_no == policy_no).values(**values))


async def cancel(session: AsyncSession, policy_no: str, at: datetime) -> None:
    await session.execute(
        update(PolicyCover).where(PolicyCover.policy_no == policy_no).values(cancelled_at=at)
    )


async def covering(session: AsyncSession, customer_no: str, on: date) -> Sequence[PolicyCover]:
    result = await session.scalars(
        select(PolicyCover).where(
            PolicyCover.customer_no == customer_no,
            PolicyCover.starts_on <= on,
            PolicyCover.ends_on >= on,
            PolicyCover.cancelled_at.is_(None),
        )
    )
    return result.all()


async def motor_cover_at(
    session: AsyncSession, *, policy_no: str | None, plate: str | None, at: datetime, on: date
) -> Sequence[PolicyCover]:
    """Motor policies in force at a moment, by policy number or plate (cancelled later still counts)."""
    statement = select(PolicyCover).where(
        PolicyCover.line.in_(MOTOR_LINES),
        PolicyCover.starts_on <= on,
        PolicyCover.ends_on >= on,
        or_(PolicyCover.cancelled_at.is_(None), PolicyCover.cancelled_at > at),
    )
    if policy_no is not None:
        statement = statement.where(PolicyCover.policy_no == policy_no)
    if plate is not None and policy_no is None:
        statement = statement.where(PolicyCover.plate == plate)
    result = await session.scalars(statement.order_by(PolicyCover.line, PolicyCover.policy_no))
    return result.all()


async def upsert_member_policy(session: AsyncSession, row: MemberPolicy) -> None:
    """Insert or update the member's policy, unless what is stored is newer (events may come late)."""
    values = {c.key: getattr(row, c.key) for c in MemberPolicy.__table__.columns}
    statement = insert(MemberPolicy).values(**values)
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MemberPolicy.member_id, MemberPolicy.policy_no],
            set_={key: excluded[key] for key in values if key not in ("member_id", "policy_no")},
            where=MemberPolicy.changed_at <= excluded.changed_at,
        )
    )


async def held_policy_nos(
    session: AsyncSession, member_id: uuid.UUID, *, policy_no: str | None, plate: str | None, at: datetime
) -> set[str]:
    """The member's policies matching the number (or else the plate) that had not ended before ``at``."""
    statement = (
        select(MemberPolicy.policy_no)
        .outerjoin(PolicyCover, PolicyCover.policy_no == MemberPolicy.policy_no)
        .where(
            MemberPolicy.member_id == member_id,
            or_(MemberPolicy.status == "active", MemberPolicy.changed_at > at),
        )
    )
    if policy_no is not None:
        statement = statement.where(MemberPolicy.policy_no == policy_no)
    elif plate is not None:
        statement = statement.where(or_(MemberPolicy.plate == plate, PolicyCover.plate == plate))
    return set((await session.scalars(statement)).all())
