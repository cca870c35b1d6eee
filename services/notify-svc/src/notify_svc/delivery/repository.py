from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, String, Uuid, and_, cast, column, func, or_, select, update, values
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from notify_svc.audience.models import Recipient
from notify_svc.delivery.models import DeliveryAttempt, Message
from notify_svc.preferences.models import Preference


async def recipient_and_switched_off(
    session: AsyncSession, member_id: str, category: str
) -> tuple[Recipient | None, set[str] | None]:
    """The member's contact and the channels they switched off for ``category``, in one statement.

    The channels are ``None`` (not read) when the member is not in the audience projection.
    """
    switched_off = (
        select(func.array_agg(Preference.channel))
        .where(
            Preference.member_id == member_id,
            Preference.category == category,
            Preference.enabled.is_(False),
        )
        .scalar_subquery()
    )
    row = (
        await session.execute(select(Recipient, switched_off).where(Recipient.member_id == member_id))
    ).first()
    if row is None:
        return None, None
    return row[0], set(row[1] or ())


async def add_messages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert messages; a (member, fact, channel) already queued is skipped. Returns how many were new."""
    if not rows:
        return 0
    # Rows as parameters (not ``.values(rows)``): the statement's SQL is compiled once per set of columns.
    result = await session.execute(_ADD_MESSAGES, list(rows))
    return len(result.all())


_ADD_MESSAGES: ReturningInsert[tuple[Any]] = (
    insert(Message.metadata.tables[Message.__tablename__])
    .on_conflict_do_nothing(constraint="uq_messages_member_fact_channel")
    .returning(column("id"))
)


async def claim_due(session: AsyncSession, now: datetime, limit: int, lease: timedelta) -> Sequence[Message]:
    """Lock due messages (pending, timed out, or abandoned mid-send) and lease them to this dispatcher."""
    due = (
        select(Message.id)
        .where(
            or_(
                and_(Message.status.in_(("pending", "unknown")), Message.not_before <= now),
                and_(Message.status == "sending", Message.lease_until < now),
            )
        )
        .order_by(Message.not_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.scalars(
        update(Message)
        .where(Message.id.in_(due.scalar_subquery()))
        .values(status="sending", attempts=Message.attempts + 1, lease_until=now + lease, updated_at=now)
        .returning(Message)
        .execution_options(synchronize_session=False)
    )
    return claimed.all()


async def get(session: AsyncSession, message_id: uuid.UUID) -> Message | None:
    return await session.get(Message, message_id)


async def finish(session: AsyncSession, message_id: uuid.UUID, now: datetime, **values: Any) -> None:
    """Record an outcome of one message (a receipt)."""
    await session.execute(
        update(Message).where(Message.id == message_id).values(updated_at=now, lease_until=None, **values)
    )


async def finish_sending(
    session: AsyncSession, outcomes: Sequence[dict[str, Any]], now: datetime
) -> set[uuid.UUID]:
    """Record a dispatch round's outcomes in one statement (``id``, ``status``, ``error``, ``provider_id``,
    ``not_before``; ``None`` keeps the current value). Only messages still being sent change: a receipt
    may have settled one meanwhile. Returns the ids that changed."""
    if not outcomes:
        return set()
    rows = values(
        column("id", Uuid),
        column("status", String),
        column("error", String),
        column("provider_id", String),
        column("not_before", DateTime(timezone=True)),
        name="outcome",
    ).data([(o["id"], o["status"], o["error"], o["provider_id"], o["not_before"]) for o in outcomes])
    result = await session.execute(
        update(Message)
        .where(Message.id == cast(rows.c.id, Uuid), Message.status == "sending")
        .values(
            status=rows.c.status,
            error=rows.c.error,
            provider_id=func.coalesce(rows.c.provider_id, Message.provider_id),
            # A VALUES column of NULLs only is text to Postgres: say what it is.
            not_before=func.coalesce(cast(rows.c.not_before, DateTime(timezone=True)), Message.not_before),
            updated_at=now,
            lease_until=None,
        )
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars().all())


async def add_attempts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(DeliveryAttempt).values(list(rows)))


async def for_member(
    session: AsyncSession, member_id: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Message]:
    statement = (
        select(Message)
        .where(Message.member_id == member_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(
            or_(Message.created_at < after[0], and_(Message.created_at == after[0], Message.id < after[1]))
        )
    return (await session.scalars(statement)).all()


async def attempts_of(session: AsyncSession, message_ids: Sequence[uuid.UUID]) -> Sequence[DeliveryAttempt]:
    if not message_ids:
        return []
    statement = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(message_ids))
        .order_by(DeliveryAttempt.id)
    )
    return (await session.scalars(statement)).all()


async def lock_for_receipt(session: AsyncSession, message_id: uuid.UUID) -> Message | None:
    return await session.scalar(select(Message).where(Message.id == message_id).with_for_update())
