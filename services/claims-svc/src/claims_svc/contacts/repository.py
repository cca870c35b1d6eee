from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.contacts.models import MemberContact


async def upsert(
    session: AsyncSession, member_id: uuid.UUID, phone_encrypted: str | None, changed_at: datetime
) -> None:
    """Record the member's phone unless a later change is already recorded (events may come late)."""
    statement = insert(MemberContact).values(
        member_id=member_id, phone_encrypted=phone_encrypted, changed_at=changed_at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MemberContact.member_id],
            set_={"phone_encrypted": statement.excluded.phone_encrypted, "changed_at": changed_at},
            where=MemberContact.changed_at <= changed_at,
        )
    )


async def get(session: AsyncSession, member_id: uuid.UUID) -> MemberContact | None:
    return await session.get(MemberContact, member_id)
