from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.privileges.models import Privilege, PrivilegeTerms


async def list_privileges(session: AsyncSession) -> list[Privilege]:
    return list(await session.scalars(select(Privilege).order_by(Privilege.sort_order)))


async def get(session: AsyncSession, code: str) -> Privilege | None:
    return await session.get(Privilege, code)


async def current_terms(session: AsyncSession, *, tier: str | None = None) -> list[PrivilegeTerms]:
    statement = select(PrivilegeTerms).where(PrivilegeTerms.superseded_at.is_(None))
    if tier is not None:
        statement = statement.where(PrivilegeTerms.tier == tier)
    return list(await session.scalars(statement.order_by(PrivilegeTerms.privilege_code, PrivilegeTerms.tier)))


async def current_terms_of(
    session: AsyncSession, code: str, tier: str, *, for_update: bool = False
) -> PrivilegeTerms | None:
    statement = select(PrivilegeTerms).where(
        PrivilegeTerms.privilege_code == code,
        PrivilegeTerms.tier == tier,
        PrivilegeTerms.superseded_at.is_(None),
    )
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def history(session: AsyncSession, code: str, tier: str) -> list[PrivilegeTerms]:
    statement = (
        select(PrivilegeTerms)
        .where(PrivilegeTerms.privilege_code == code, PrivilegeTerms.tier == tier)
        .order_by(PrivilegeTerms.version.desc())
    )
    return list(await session.scalars(statement))


async def supersede(session: AsyncSession, terms_id: int, at: datetime) -> None:
    await session.execute(
        update(PrivilegeTerms).where(PrivilegeTerms.id == terms_id).values(superseded_at=at)
    )


async def add_terms(session: AsyncSession, terms: PrivilegeTerms) -> PrivilegeTerms:
    session.add(terms)
    await session.flush()
    return terms


async def terms_by_id(session: AsyncSession, terms_id: int) -> PrivilegeTerms | None:
    return await session.get(PrivilegeTerms, terms_id)
