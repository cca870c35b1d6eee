from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import ARRAY, DateTime, String, Uuid, and_, bindparam, column, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from notify_svc.audience.models import Recipient
from notify_svc.delivery.models import (
    NO_CONTACT,
    UNDELIVERABLE,
    WAITING_FOR_CONTACT,
    DeliveryAttempt,
    Message,
)
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
    """Lock due messages (pending, timed out, or abandoned mid-send) and lease them to this sender."""
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


async def lock_waiting_for_contact(session: AsyncSession, member_id: str) -> Sequence[Message]:
    """The member's held messages, locked (a concurrent release or expiry waits, then sees them gone)."""
    statement = (
        select(Message)
        .where(Message.member_id == member_id, Message.status == WAITING_FOR_CONTACT)
        .order_by(Message.created_at, Message.id)
        .with_for_update()
    )
    return (await session.scalars(statement)).all()


async def members_reachable_while_held(session: AsyncSession, limit: int) -> Sequence[str]:
    """Members with held messages whose contact is known now (the longest waiting first)."""
    statement = (
        select(Message.member_id)
        .join(Recipient, Recipient.member_id == Message.member_id)
        .where(
            Message.status == WAITING_FOR_CONTACT,
            or_(Recipient.openid.is_not(None), Recipient.phone_encrypted.is_not(None)),
        )
        .group_by(Message.member_id)
        .order_by(func.min(Message.created_at))
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


async def taken_channels(
    session: AsyncSession, member_id: str, fact_ids: Collection[str]
) -> set[tuple[str, str]]:
    """``(fact_id, channel)`` of every message of the member for ``fact_ids``, whatever its status."""
    statement = select(Message.fact_id, Message.channel).where(
        Message.member_id == member_id, Message.fact_id.in_(list(fact_ids))
    )
    return {(fact, channel) for fact, channel in (await session.execute(statement)).all()}


async def expire_waiting_for_contact(
    session: AsyncSession, held_before: datetime, now: datetime, limit: int
) -> Sequence[Message]:
    """Mark up to ``limit`` messages held since before ``held_before`` undeliverable; returns them."""
    due = (
        select(Message.id)
        .where(Message.status == WAITING_FOR_CONTACT, Message.created_at <= held_before)
        .order_by(Message.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    expired = await session.scalars(
        update(Message)
        .where(Message.id.in_(due.scalar_subquery()), Message.status == WAITING_FOR_CONTACT)
        .values(status=UNDELIVERABLE, error=NO_CONTACT, updated_at=now)
        .returning(Message)
        .execution_options(synchronize_session=False)
    )
    return expired.all()


async def get(session: AsyncSession, message_id: uuid.UUID) -> Message | None:
    return await session.get(Message, message_id)


async def finish(session: AsyncSession, message_id: uuid.UUID, now: datetime, **values: Any) -> None:
    """Change one message: an outcome (a receipt), or a held message released or skipped."""
    await session.execute(
        update(Message).where(Message.id == message_id).values(updated_at=now, lease_until=None, **values)
    )


async def finish_sending(
    session: AsyncSession, outcomes: Sequence[dict[str, Any]], now: datetime
) -> set[uuid.UUID]:
    """Record a send round's outcomes in one statement (``id``, ``status``, ``error``, ``provider_id``,
    ``not_before``; ``None`` keeps the current value). Only messages still being sent change: a receipt
    may have settled one meanwhile. Returns the ids that changed."""
    if not outcomes:
        return set()
    arrays = {
        "ids": [o["id"] for o in outcomes],
        "statuses": [o["status"] for o in outcomes],
        "errors": [o["error"] for o in outcomes],
        "provider_ids": [o["provider_id"] for o in outcomes],
        "not_befores": [o["not_before"] for o in outcomes],
    }
    result = await session.execute(_FINISH_SENDING, {**arrays, "at": now})
    return set(result.scalars().all())


# The outcomes travel as one array per column, unnested into rows: the SQL is the same for any number of
# outcomes, so SQLAlchemy compiles it once (it compiles a VALUES list again every time).
_OUTCOMES = (
    func.unnest(
        bindparam("ids", type_=ARRAY(Uuid)),
        bindparam("statuses", type_=ARRAY(String)),
        bindparam("errors", type_=ARRAY(String)),
        bindparam("provider_ids", type_=ARRAY(String)),
        bindparam("not_befores", type_=ARRAY(DateTime(timezone=True))),
    )
    .table_valued(
        column("id", Uuid),
        column("status", String),
        column("error", String),
        column("provider_id", String),
        column("not_before", DateTime(timezone=True)),
        name="outcome",
    )
    .render_derived()
)
_FINISH_SENDING = (
    update(Message)
    .where(Message.id == _OUTCOMES.c.id, Message.status == "sending")
    .values(
        status=_OUTCOMES.c.status,
        error=_OUTCOMES.c.error,
        provider_id=func.coalesce(_OUTCOMES.c.provider_id, Message.provider_id),
        not_before=func.coalesce(_OUTCOMES.c.not_before, Message.not_before),
        updated_at=bindparam("at", type_=DateTime(timezone=True)),
        lease_until=None,
    )
    .returning(Message.id)
    .execution_options(synchronize_session=False)
)


async def add_attempts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        # Rows as parameters (not ``.values(rows)``): the statement's SQL is compiled once and cached.
        await session.execute(insert(DeliveryAttempt), list(rows))


async def for_member(session: AsyncSession, member_id: str, cursor: str | None, limit: int) -> Slice[Message]:
    statement = select(Message).where(Message.member_id == member_id)
    return await paginate(
        session, statement, cursor, limit, by=(Message.created_at, Message.id), descending=True
    )


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
