from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.staff.models import StaffAccount


async def get(session: AsyncSession, username: str) -> StaffAccount | None:
    return await session.get(StaffAccount, username)


async def insert_if_missing(
    session: AsyncSession, *, username: str, display_name: str, role: str, password_hash: str, at: datetime
) -> bool:
    """True when the account was created, False when one with that username already existed."""
    result = await session.execute(
        insert(StaffAccount)
        .values(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            disabled=False,
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=[StaffAccount.username])
        .returning(StaffAccount.username)
    )
    return result.scalar_one_or_none() is not None


async def list_page(session: AsyncSession, after: str | None, limit: int) -> Sequence[StaffAccount]:
    statement = select(StaffAccount).order_by(StaffAccount.username).limit(limit)
    if after is not None:
        statement = statement.where(StaffAccount.username > after)
    return (await session.scalars(statement)).all()


async def set_password_hash(session: AsyncSession, username: str, password_hash: str) -> None:
    await session.execute(
        update(StaffAccount).where(StaffAccount.username == username).values(password_hash=password_hash)
    )


async def set_disabled(session: AsyncSession, username: str, disabled: bool) -> None:
    await session.execute(
        update(StaffAccount).where(StaffAccount.username == username).values(disabled=disabled)
    )


async def touch_login(session: AsyncSession, username: str, at: datetime) -> None:
    await session.execute(
        update(StaffAccount).where(StaffAccount.username == username).values(last_login_at=at)
    )
