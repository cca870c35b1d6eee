"""Webhook endpoints and secrets, messages queued for delivery, and what an attempt's result changes."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cheyou_events.catalogue.merchant import WebhookEndpointDisabled
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.config import Settings
from merchant_svc.eventing import publish
from merchant_svc.merchants import service as merchants
from merchant_svc.pii import PiiCipher
from merchant_svc.webhooks import repository
from merchant_svc.webhooks.errors import EndpointDisabled, EndpointNotFound, MessageNotFound
from merchant_svc.webhooks.metrics import WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINT_DISABLED
from merchant_svc.webhooks.models import Attempt, Delivery, Endpoint, EndpointSecret, Message
from merchant_svc.webhooks.schemas import (
    DeliveryStatus,
    EndpointCreate,
    EndpointStatus,
    EndpointUpdate,
    WebhookEventType,
)
from merchant_svc.webhooks.secret_store import OpenSecret, seal, unseal
from merchant_svc.webhooks.signing import generate_secret
from merchant_svc.webhooks.url_policy import Destinations

RETRY_AFTER_STATUSES = frozenset({429, 502, 503, 504})


async def create_endpoint(
    session: AsyncSession,
    data: EndpointCreate,
    settings: Settings,
    destinations: Destinations,
    cipher: PiiCipher,
) -> tuple[Endpoint, OpenSecret]:
    await merchants.get(session, data.merchant_id)
    await destinations.check_url(str(data.url))
    endpoint = Endpoint(
        merchant_id=data.merchant_id,
        url=str(data.url),
        description=data.description,
        event_types=sorted({str(t) for t in data.event_types}),
        status=EndpointStatus.ENABLED,
        max_in_flight=data.max_in_flight or settings.webhook_endpoint_max_in_flight,
    )
    await repository.add(session, endpoint)
    return endpoint, await _new_secret(session, cipher, endpoint.id)


async def _new_secret(session: AsyncSession, cipher: PiiCipher, endpoint_id: uuid.UUID) -> OpenSecret:
    clear = generate_secret()
    secret = EndpointSecret(endpoint_id=endpoint_id, secret=seal(cipher, endpoint_id, clear))
    await repository.add(session, secret)
    await session.refresh(secret)
    return OpenSecret(clear, secret.created_at, secret.expires_at)


async def get_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> Endpoint:
    endpoint = await repository.get_endpoint(session, endpoint_id, for_update=for_update)
    if endpoint is None:
        raise EndpointNotFound(f"webhook endpoint {endpoint_id} is not known")
    return endpoint


async def endpoints_of(session: AsyncSession, merchant_id: uuid.UUID | None) -> list[Endpoint]:
    return await repository.endpoints_of(session, merchant_id)


async def update_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, data: EndpointUpdate, destinations: Destinations
) -> Endpoint:
    endpoint = await get_endpoint(session, endpoint_id, for_update=True)
    if data.url is not None:
        await destinations.check_url(str(data.url))
        endpoint.url = str(data.url)
    if data.description is not None:
        endpoint.description = data.description
    if data.event_types is not None:
        endpoint.event_types = sorted({str(t) for t in data.event_types})
    if data.max_in_flight is not None:
        endpoint.max_in_flight = data.max_in_flight
    await session.flush()
    return endpoint


async def enable_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> Endpoint:
    """Back in service after the merchant fixed its side: parked deliveries are due again at once."""
    endpoint = await get_endpoint(session, endpoint_id, for_update=True)
    if endpoint.status != EndpointStatus.ENABLED:
        endpoint.status = EndpointStatus.ENABLED
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.failing_since = None
        await repository.notify_due(session)
        await session.flush()
    return endpoint


async def disable_endpoint(session: AsyncSession, endpoint_id: uuid.UUID, reason: str) -> Endpoint:
    endpoint = await get_endpoint(session, endpoint_id)
    await repository.disable_endpoint(session, endpoint_id, datetime.now(UTC), reason)
    await session.refresh(endpoint)
    return endpoint


async def secrets_of(session: AsyncSession, cipher: PiiCipher, endpoint_id: uuid.UUID) -> list[OpenSecret]:
    await get_endpoint(session, endpoint_id)
    return [
        OpenSecret(unseal(cipher, endpoint_id, s.secret), s.created_at, s.expires_at)
        for s in await repository.secrets_in_force(session, endpoint_id, datetime.now(UTC))
    ]


async def rotate_secret(
    session: AsyncSession, cipher: PiiCipher, endpoint_id: uuid.UUID, overlap: timedelta
) -> OpenSecret:
    """A new secret at once; the old ones keep signing (both signatures sent) until the overlap ends."""
    await get_endpoint(session, endpoint_id, for_update=True)
    await repository.expire_secrets(session, endpoint_id, datetime.now(UTC) + overlap)
    return await _new_secret(session, cipher, endpoint_id)


def _body(event_type: WebhookEventType, data: dict[str, Any], now: datetime) -> bytes:
    """The Standard Webhooks payload shape; these exact bytes are stored, signed and sent every time."""
    envelope = {"type": str(event_type), "timestamp": now.isoformat(), "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=str).encode()


async def enqueue(
    session: AsyncSession,
    merchant_id: uuid.UUID,
    event_type: WebhookEventType,
    data: dict[str, Any],
    *,
    order_id: str | None = None,
) -> Message:
    """Write the message and one delivery per subscribed endpoint; the worker sends after commit.

    Never sends anything itself: Kafka handlers call this inside transactions that may roll back and
    run again.
    """
    now = datetime.now(UTC)
    message = Message(
        id=f"msg_{uuid.uuid4().hex}",
        merchant_id=merchant_id,
        event_type=str(event_type),
        order_id=order_id,
        body=_body(event_type, data, now),
    )
    await repository.add(session, message)
    endpoints = await repository.subscribed_endpoints(session, merchant_id, str(event_type))
    if endpoints:
        await repository.add(
            session,
            *(
                Delivery(
                    message_id=message.id,
                    endpoint_id=e.id,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                )
                for e in endpoints
            ),
        )
        await repository.notify_due(session)
    return message


async def reachable(session: AsyncSession, merchant_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Merchants we can reach: an enabled endpoint, or no endpoint at all (they poll the merchant API)."""
    summary = await repository.endpoint_summary(session, merchant_ids)
    return {m for m in merchant_ids if summary.get(m, True)}


async def get_message(session: AsyncSession, message_id: str) -> Message:
    message = await repository.get_message(session, message_id)
    if message is None:
        raise MessageNotFound(f"webhook message {message_id} is not known")
    return message


async def list_messages(
    session: AsyncSession,
    *,
    merchant_id: uuid.UUID | None,
    order_id: str | None,
    cursor: str | None,
    limit: int,
) -> list[Message]:
    return await repository.list_messages(
        session, merchant_id=merchant_id, order_id=order_id, cursor=cursor, limit=limit
    )


async def message_detail(
    session: AsyncSession, message_id: str
) -> tuple[Message, list[Delivery], list[Attempt]]:
    message = await get_message(session, message_id)
    deliveries = await repository.deliveries_of(session, message_id)
    attempts = await repository.attempts_of_message(session, message_id)
    return message, deliveries, attempts


async def attempts_of_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, before_id: int | None, limit: int
) -> list[Attempt]:
    return await repository.attempts_of_endpoint(session, endpoint_id, before_id=before_id, limit=limit)


async def redeliver(session: AsyncSession, message_id: str, endpoint_id: uuid.UUID | None) -> int:
    """Send one message again (all its endpoints, or one), with the same ``webhook-id``."""
    await get_message(session, message_id)
    count = await repository.requeue(
        session, now=datetime.now(UTC), message_id=message_id, endpoint_id=endpoint_id
    )
    await repository.notify_due(session)
    return count


async def recover(session: AsyncSession, endpoint_id: uuid.UUID, since: datetime) -> int:
    """Send again every delivery to the endpoint that failed (retries exhausted) since ``since``."""
    endpoint = await get_endpoint(session, endpoint_id)
    if endpoint.status != EndpointStatus.ENABLED:
        raise EndpointDisabled(f"webhook endpoint {endpoint_id} is disabled; enable it first")
    count = await repository.requeue(
        session, now=datetime.now(UTC), endpoint_id=endpoint_id, failed_since=since
    )
    await repository.notify_due(session)
    return count


# --- results of the delivery worker's attempts ----------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    attempted_at: datetime
    latency_ms: int
    status_code: int | None
    response_excerpt: str | None = None
    error: str | None = None
    retry_after_s: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return self.error or f"HTTP {self.status_code}"


def retry_delay(attempts: int, result: AttemptResult, settings: Settings) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones; None when the schedule is exhausted."""
    schedule = settings.webhook_retry_schedule_s
    if attempts > len(schedule):
        return None
    jitter = settings.webhook_retry_jitter
    delay = schedule[attempts - 1] * random.uniform(1 - jitter, 1 + jitter)
    if result.retry_after_s is not None and result.status_code in RETRY_AFTER_STATUSES:
        delay = max(delay, min(result.retry_after_s, settings.webhook_max_retry_after_s))
    return delay


async def record_attempt(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    merchant_id: uuid.UUID,
    result: AttemptResult,
    settings: Settings,
) -> Delivery | None:
    """Log the attempt and move the delivery on: done, retry later, exhausted; disable the endpoint on 410
    or when it has been failing for longer than ``webhook_disable_after_s``."""
    delivery = await repository.get_delivery(session, delivery_id)
    if delivery is None:
        return None
    delivery.attempts += 1
    await repository.add(
        session,
        Attempt(
            delivery_id=delivery.id,
            message_id=delivery.message_id,
            endpoint_id=delivery.endpoint_id,
            attempt_no=delivery.attempts,
            attempted_at=result.attempted_at,
            outcome="success" if result.succeeded else "failure",
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            response_excerpt=result.response_excerpt,
            error=result.error,
        ),
    )
    delivery.last_attempt_at = result.attempted_at
    delivery.last_status_code = result.status_code
    delivery.leased_until = None
    WEBHOOK_DELIVERIES.labels(str(merchant_id), "success" if result.succeeded else "failure").inc()
    if result.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.last_error = None
        await repository.mark_endpoint_healthy(session, delivery.endpoint_id)
        await session.flush()
        return delivery
    delivery.last_error = result.describe()
    now = datetime.now(UTC)
    delay = retry_delay(delivery.attempts, result, settings)
    if delay is None:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    endpoint = await repository.mark_endpoint_failing(session, delivery.endpoint_id, now, result.describe())
    if endpoint is not None and endpoint.status == EndpointStatus.ENABLED:
        if result.status_code == 410:
            await _disable(session, endpoint, now, "gone", "the endpoint answered 410 Gone")
        elif endpoint.failing_since is not None and (now - endpoint.failing_since).total_seconds() >= (
            settings.webhook_disable_after_s
        ):
            await _disable(
                session, endpoint, now, "failing", f"failing since {endpoint.failing_since.isoformat()}"
            )
    await session.flush()
    return delivery


async def _disable(
    session: AsyncSession, endpoint: Endpoint, now: datetime, reason: str, detail: str
) -> None:
    if not await repository.disable_endpoint(session, endpoint.id, now, detail):
        return
    WEBHOOK_ENDPOINT_DISABLED.labels(str(endpoint.merchant_id)).set(1)
    payload = WebhookEndpointDisabled(
        merchant_id=str(endpoint.merchant_id),
        endpoint_id=str(endpoint.id),
        url=endpoint.url,
        reason="gone" if reason == "gone" else "failing",
        failing_since=endpoint.failing_since,
        last_error=endpoint.last_error,
        disabled_at=now,
    )
    await publish(session, payload)


async def refresh_disabled_gauge(session: AsyncSession) -> None:
    for merchant_id, disabled in (await repository.disabled_by_merchant(session)).items():
        WEBHOOK_ENDPOINT_DISABLED.labels(str(merchant_id)).set(1 if disabled else 0)
