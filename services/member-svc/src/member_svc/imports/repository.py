from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.imports.models import InvitationImport


async def add(session: AsyncSession, record: InvitationImport) -> None:
    session.add(record)
    await session.flush()
