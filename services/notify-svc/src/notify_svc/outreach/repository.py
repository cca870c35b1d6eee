from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.delivery.models import Message
from notify_svc.outreach.models import Invitee, SmsOptOut

INVITATION_TEMPLATES = ("invitation", "invitation_reminder")


async def add_invitee(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Record the invitee; False when already known (a redelivered event)."""
    result = await session.execute(
        insert(Invitee).values(**values).on_conflict_do_nothing(index_elements=["member_id"])
    )
    return bool(getattr(result, "rowcount", 0))


async def get(session: AsyncSession, member_id: str, *, for_update: bool = False) -> Invitee | None:
    return await session.get(Invitee, member_id, with_for_update=for_update)


async def by_token(session: AsyncSession, token_sha256: str) -> Invitee | None:
    statement = select(Invitee).where(Invitee.token_sha256 == token_sha256).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def by_phone_hash(session: AsyncSession, phone_hash: str) -> Sequence[Invitee]:
    statement = select(Invitee).where(Invitee.phone_hash == phone_hash).with_for_update()
    return (await session.scalars(statement)).all()


async def many(session: AsyncSession, member_ids: Sequence[str]) -> Sequence[Invitee]:
    if not member_ids:
        return []
    return (await session.scalars(select(Invitee).where(Invitee.member_id.in_(member_ids)))).all()


async def due_reminders(session: AsyncSession, now: datetime, limit: int) -> Sequence[Invitee]:
    """Active invitees whose next reminder is due, locked (other replicas skip them)."""
    statement = (
        select(Invitee)
        .where(Invitee.status == "active", Invitee.next_reminder_at <= now)
        .order_by(Invitee.next_reminder_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def add_opt_out(session: AsyncSession, phone_hash: str, via: str, at: datetime) -> None:
    await session.execute(
        insert(SmsOptOut)
        .values(phone_hash=phone_hash, via=via, opted_out_at=at)
        .on_conflict_do_nothing(index_elements=["phone_hash"])
    )


async def opted_out(session: AsyncSession, phone_hashes: Sequence[str]) -> set[str]:
    if not phone_hashes:
        return set()
    statement = select(SmsOptOut.phone_hash).where(SmsOptOut.phone_hash.in_(phone_hashes))
    return set((await session.scalars(statement)).all())


async def skip_queued_invitations(session: AsyncSession, member_id: str, now: datetime, error: str) -> int:
    """Invitation messages of this invitee not sent yet are not sent (any channel)."""
    result = await session.execute(
        update(Message)
        .where(
            Message.member_id == member_id,
            Message.template_code.in_(INVITATION_TEMPLATES),
            Message.status.in_(("pending", "waiting_for_contact")),
        )
        .values(status="skipped", error=error, updated_at=now, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
