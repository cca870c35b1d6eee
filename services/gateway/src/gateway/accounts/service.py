from __future__ import annotations

from cheyou_events.catalogue.member import MemberRegistered, MemberRejected, MemberVerified
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts import repository
from gateway.accounts.models import MemberAccount

PENDING, ACTIVE, REJECTED = "pending", "active", "rejected"


async def record(session: AsyncSession, event: MemberRegistered | MemberVerified | MemberRejected) -> None:
    match event:
        case MemberRegistered():
            await repository.set_status(session, event.member_id, PENDING, event.registered_at)
        case MemberVerified():
            await repository.set_status(session, event.member_id, ACTIVE, event.verified_at)
        case MemberRejected():
            await repository.set_status(session, event.member_id, REJECTED, event.rejected_at)


async def get(session: AsyncSession, member_id: str) -> MemberAccount | None:
    return await repository.get(session, member_id)
