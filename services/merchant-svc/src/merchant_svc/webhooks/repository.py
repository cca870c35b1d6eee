from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cheyou_kit.pagination import decode_cursor
from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.webhooks.models import Attempt, Delivery, Endpoint, EndpointSecret, Message
from merchant_svc.webhooks.schemas import DeliveryStatus, EndpointStatus

NOTIFY_CHANNEL = "webhook_deliveries"


async def add(session: AsyncSession, *rows: Endpoint | EndpointSecret | Message | Delivery | Attempt) -> None:
    session.add_all(rows)
    await session.flush()


async def get_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> Endpoint | None:
    return await session.get(Endpoint, endpoint_id, with_for_update=for_update)


async def endpoints_of(session: AsyncSession, merchant_id: uuid.UUID | None) -> list[Endpoint]:
    query = select(Endpoint).order_by(Endpoint.created_at, Endpoint.id)
    if merchant_id is not None:
        query = query.where(Endpoint.merchant_id == merchant_id)
    return list((await session.execute(query)).scalars())


async def subscribed_endpoints(
    session: AsyncSession, merchant_id: uuid.UUID, event_type: str
) -> list[Endpoint]:
    """Enabled endpoints of the merchant whose filter lets ``event_type`` through."""
    query = select(Endpoint).where(
        Endpoint.merchant_id == merchant_id,
        Endpoint.status == EndpointStatus.ENABLED,
        or_(func.cardinality(Endpoint.event_types) == 0, Endpoint.event_types.any_() == event_type),
    )
    return list((await session.execute(query)).scalars())


async def endpoint_summary(session: AsyncSession, merchant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """For each merchant that has endpoints: whether at least one is enabled."""
    if not merchant_ids:
        return {}
    query = (
        select(Endpoint.merchant_id, func.bool_or(Endpoint.status == EndpointStatus.ENABLED))
        .where(Endpoint.merchant_id.in_(merchant_ids))
        .group_by(Endpoint.merchant_id)
    )
    return {row[0]: bool(row[1]) for row in (await session.execute(query)).all()}


async def disabled_by_merchant(session: AsyncSession) -> dict[uuid.UUID, bool]:
    query = select(Endpoint.merchant_id, func.bool_or(Endpoint.status == EndpointStatus.DISABLED)).group_by(
        Endpoint.merchant_id
    )
    return {row[0]: bool(row[1]) for row in (await session.execute(query)).all()}


async def secrets_in_force(
    session: AsyncSession, endpoint_id: uuid.UUID, now: datetime
) -> list[EndpointSecret]:
    query = (
        select(EndpointSecret)
        .where(
            EndpointSecret.endpoint_id == endpoint_id,
            or_(EndpointSecret.expires_at.is_(None), EndpointSecret.expires_at > now),
        )
        .order_by(EndpointSecret.created_at.desc())
    )
    return list((await session.execute(query)).scalars())


async def expire_secrets(session: AsyncSession, endpoint_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        update(EndpointSecret)
        .where(
            EndpointSecret.endpoint_id == endpoint_id,
            or_(EndpointSecret.expires_at.is_(None), EndpointSecret.expires_at > at),
        )
        .values(expires_at=at)
    )


async def notify_due(session: AsyncSession) -> None:
    """Wake the delivery workers when this transaction commits (Postgres delivers NOTIFY on commit)."""
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")))


async def get_message(session: AsyncSession, message_id: str) -> Message | None:
    return await session.get(Message, message_id)


async def list_messages(
    session: AsyncSession,
    *,
    merchant_id: uuid.UUID | None,
    order_id: str | None,
    cursor: str | None,
    limit: int,
) -> list[Message]:
    query = select(Message).order_by(Message.created_at, Message.id).limit(limit + 1)
    if merchant_id is not None:
        query = query.where(Message.merchant_id == merchant_id)
    if order_id is not None:
        query = query.where(Message.order_id == order_id)
    if (after := decode_cursor(cursor, datetime.fromisoformat, str)) is not None:
        query = query.where(
            or_(Message.created_at > after[0], and_(Message.created_at == after[0], Message.id > after[1]))
        )
    return list((await session.execute(query)).scalars())


async def deliveries_of(session: AsyncSession, message_id: str) -> list[Delivery]:
    query = select(Delivery).where(Delivery.message_id == message_id).order_by(Delivery.created_at)
    return list((await session.execute(query)).scalars())


async def attempts_of_message(session: AsyncSession, message_id: str) -> list[Attempt]:
    query = select(Attempt).where(Attempt.message_id == message_id).order_by(Attempt.id)
    return list((await session.execute(query)).scalars())


async def attempts_of_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, before_id: int | None, limit: int
) -> list[Attempt]:
    query = (
        select(Attempt).where(Attempt.endpoint_id == endpoint_id).order_by(Attempt.id.desc()).limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(Attempt.id < before_id)
    return list((await session.execute(query)).scalars())


async def requeue(
    session: AsyncSession,
    *,
    now: datetime,
    message_id: str | None = None,
    endpoint_id: uuid.UUID | None = None,
    failed_since: datetime | None = None,
) -> int:
    """Make deliveries due now with a fresh retry schedule; never one that is being attempted."""
    conditions = [or_(Delivery.leased_until.is_(None), Delivery.leased_until <= now)]
    if message_id is not None:
        conditions.append(Delivery.message_id == message_id)
    if endpoint_id is not None:
        conditions.append(Delivery.endpoint_id == endpoint_id)
    if failed_since is not None:
        conditions += [Delivery.status == DeliveryStatus.FAILED, Delivery.created_at >= failed_since]
    result = await session.execute(
        update(Delivery)
        .where(*conditions)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, leased_until=None)
        .returning(Delivery.id)
    )
    return len(result.all())


# --- the delivery worker's statements ------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    message_id: str
    endpoint_id: uuid.UUID
    merchant_id: uuid.UUID
    url: str
    body: bytes
    attempts: int
    secrets: list[str]


# Due deliveries, at most (max_in_flight - in flight) per endpoint, locked with SKIP LOCKED so that
# several workers (replicas) never claim the same row; the outer WHERE is re-checked on the locked row.
_CLAIM = text(
    """
WITH in_flight AS (
    SELECT endpoint_id, count(*) AS n FROM webhook_deliveries
    WHERE status = 'pending' AND leased_until > now()
    GROUP BY endpoint_id
), ranked AS (
    SELECT d.id, d.next_attempt_at,
           row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at) AS rank,
           e.max_in_flight - coalesce(f.n, 0) AS free
    FROM webhook_deliveries d
    JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
    LEFT JOIN in_flight f ON f.endpoint_id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= now()
      AND (d.leased_until IS NULL OR d.leased_until <= now())
), picked AS (
    SELECT d.id FROM webhook_deliveries d
    WHERE d.id IN (SELECT id FROM ranked WHERE rank <= free ORDER BY next_attempt_at LIMIT :limit)
      AND d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until <= now())
    FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => :lease_s)
FROM picked, webhook_endpoints e, webhook_messages m
WHERE d.id = picked.id AND e.id = d.endpoint_id AND m.id = d.message_id
RETURNING d.id, d.message_id, d.endpoint_id, e.merchant_id, e.url, m.body, d.attempts,
    (SELECT coalesce(array_agg(s.secret ORDER BY s.created_at DESC), '{}') FROM webhook_secrets s
     WHERE s.endpoint_id = d.endpoint_id AND (s.expires_at IS NULL OR s.expires_at > now())) AS secrets
"""
)


async def claim_due(session: AsyncSession, *, limit: int, lease_s: float) -> list[Claimed]:
    rows = await session.execute(_CLAIM, {"limit": limit, "lease_s": lease_s})
    return [Claimed(*row) for row in rows.all()]


async def next_due_in(session: AsyncSession) -> float | None:
    """Seconds until the next retry of an enabled endpoint falls due (None when none is scheduled)."""
    query = (
        select(func.extract("epoch", func.min(Delivery.next_attempt_at) - func.now()))
        .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at > func.now(),
            Endpoint.status == EndpointStatus.ENABLED,
        )
    )
    value = (await session.execute(query)).scalar_one_or_none()
    return None if value is None else float(value)


async def get_delivery(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery | None:
    return await session.get(Delivery, delivery_id, with_for_update=True)


async def mark_endpoint_healthy(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    await session.execute(
        update(Endpoint)
        .where(Endpoint.id == endpoint_id, Endpoint.failing_since.is_not(None))
        .values(failing_since=None, last_error=None)
    )


async def mark_endpoint_failing(
    session: AsyncSession, endpoint_id: uuid.UUID, now: datetime, error: str
) -> Endpoint | None:
    """Record the failure; returns the endpoint (with its ``failing_since``) while it is enabled."""
    await session.execute(
        update(Endpoint)
        .where(Endpoint.id == endpoint_id)
        .values(failing_since=func.coalesce(Endpoint.failing_since, now), last_error=error)
    )
    return await session.get(Endpoint, endpoint_id, populate_existing=True)


async def disable_endpoint(session: AsyncSession, endpoint_id: uuid.UUID, now: datetime, reason: str) -> bool:
    """Disable it unless already disabled; True when this call did it."""
    result = await session.execute(
        update(Endpoint)
        .where(Endpoint.id == endpoint_id, Endpoint.status == EndpointStatus.ENABLED)
        .values(status=EndpointStatus.DISABLED, disabled_at=now, disabled_reason=reason)
        .returning(Endpoint.id)
    )
    return result.first() is not None
