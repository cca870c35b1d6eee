from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.cover.models import PolicyCover


async def upsert(
    session: AsyncSession, *, policy_no: str, customer_no: str, line: str, starts_on: date, ends_on: date
) -> None:
    statement = insert(PolicyCover).values(
        policy_no=policy_no, customer_no=customer_no, line=line, starts_on=starts_on, ends_on=ends_on
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[PolicyCover.policy_no],
            set_={"starts_on": statement.excluded.starts_on, "ends_on": statement.excluded.ends_on},
        )
    )


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
