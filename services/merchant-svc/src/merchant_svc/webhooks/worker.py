"""The delivery worker: claims due deliveries from Postgres and sends them, never from a Kafka handler.

Several workers (one per replica) share the table: each claim takes due rows with ``FOR UPDATE SKIP
LOCKED`` and leases them (``leased_until``) for the duration of one attempt, so a crashed worker's rows
come back after the lease and a restart loses nothing. A claim takes at most an endpoint's free
``max_in_flight`` slots, and every request has a hard timeout, so a slow or dead merchant ties up at
most its own slots while the others' deliveries go on. Woken by ``NOTIFY webhook_deliveries`` (sent on
commit of the transaction that queued the delivery), with a poll as fallback: a kit ``PeriodicJob`` with
``listen``, whose batch leases and whose ``after_commit`` starts the attempts.

Each request's connection goes to an address checked when it is opened (:mod:`.transport`), or through
the configured egress proxy; what the merchant answered is kept only as a short, cleaned excerpt.
"""

from __future__ import annotations

import asyncio
import logging
import time
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from cheyou_kit.periodic import PeriodicJob, after_commit
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from merchant_svc.config import Settings
from merchant_svc.pii import cipher_for
from merchant_svc.webhooks import repository, service, signing
from merchant_svc.webhooks.repository import Claimed
from merchant_svc.webhooks.secret_store import unseal
from merchant_svc.webhooks.service import AttemptResult
from merchant_svc.webhooks.transport import PinnedTransport, refused
from merchant_svc.webhooks.url_policy import DestinationRefused, Destinations

log = logging.getLogger(__name__)

LEASE_MARGIN_S = 30.0
GAUGE_REFRESH_S = 15.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class DeliveryWorker:
    """The app component: the HTTP client, the attempts in flight and two kit jobs — ``webhook-deliveries``
    (claim what is due, woken by ``NOTIFY``, by a free slot and when the next retry falls due, polling
    every ``MERCHANT_WEBHOOK_POLL_INTERVAL_S``) and ``webhook-disabled-gauge`` (every 15 s)."""

    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], destinations: Destinations
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._destinations = destinations
        self._inflight: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._claims = PeriodicJob(
            "webhook-deliveries",
            self._claim,
            sessions=sessions,
            interval_s=settings.webhook_poll_interval_s,
            # LISTEN needs a session of its own: the database itself, not a transaction pooler.
            listen=(repository.NOTIFY_CHANNEL, settings.direct_sqlalchemy_url),
        )
        self._gauge = PeriodicJob(
            "webhook-disabled-gauge", _refresh_gauge, sessions=sessions, interval_s=GAUGE_REFRESH_S
        )

    async def start(self) -> None:
        concurrency = self._settings.webhook_worker_concurrency
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        proxy = self._settings.webhook_egress_proxy
        transport = (
            httpx.AsyncHTTPTransport(proxy=proxy, limits=limits, trust_env=False)
            if proxy
            else PinnedTransport(self._destinations, limits=limits)
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self._settings.webhook_timeout_s),
            follow_redirects=False,  # a redirect could lead anywhere, including our own network
            trust_env=False,  # no proxy or certificates from the environment: only our settings
        )
        await self._claims.start()
        await self._gauge.start()

    async def stop(self) -> None:
        await self._gauge.stop()
        await self._claims.stop()
        if self._inflight:
            # Attempts still running get a moment to finish; the rest are cancelled and their leases
            # expire, so another worker (or this one after a restart) tries them again.
            _, pending = await asyncio.wait(
                self._inflight, timeout=min(5.0, self._settings.webhook_timeout_s)
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    async def _claim(self, session: AsyncSession, _now: datetime) -> int:
        """Lease what is due, up to the free slots; the attempts start once the lease is committed."""
        settings = self._settings
        free = settings.webhook_worker_concurrency - len(self._inflight)
        if free <= 0:
            return 0  # a finished attempt wakes the job
        claimed = await repository.claim_due(
            session, limit=free, lease_s=settings.webhook_timeout_s + LEASE_MARGIN_S
        )
        if len(claimed) < free:  # nothing else due now: look again when the next retry falls due
            due_in = await repository.next_due_in(session)
            if due_in is not None:
                self._claims.wake(after_s=max(due_in, 0.01))

        async def deliver() -> None:
            for item in claimed:
                task = asyncio.create_task(self._deliver(item), name=f"webhook {item.message_id}")
                self._inflight.add(task)
                task.add_done_callback(self._done)

        after_commit(session, deliver)
        return len(claimed)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._claims.wake()  # a slot (and maybe an endpoint's slot) is free
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("webhook delivery failed unexpectedly", exc_info=exc)

    async def _deliver(self, item: Claimed) -> None:
        result = await self.send(item)
        async with self._sessions() as session, session.begin():
            await service.record_attempt(session, item.delivery_id, item.merchant_id, result, self._settings)

    async def send(self, item: Claimed) -> AttemptResult:
        """One signed POST of the stored bytes; every outcome, including a timeout, becomes a result."""
        assert self._client is not None
        settings = self._settings
        attempted_at = datetime.now(UTC)
        cipher = cipher_for(settings.pii_key)
        secrets = [unseal(cipher, item.endpoint_id, stored) for stored in item.secrets]
        headers = signing.headers(secrets, item.message_id, int(attempted_at.timestamp()), item.body)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(settings.webhook_timeout_s):
                if settings.webhook_egress_proxy:
                    # The proxy resolves the name itself; this check refuses what we can see is wrong.
                    await self._check_through_proxy(item.url)
                async with self._client.stream(
                    "POST", item.url, content=item.body, headers=headers
                ) as response:
                    excerpt = await _excerpt(response, settings.webhook_response_excerpt_chars)
        except DestinationRefused as exc:
            log.warning("webhook %s to endpoint %s refused: %s", item.message_id, item.endpoint_id, exc)
            return AttemptResult(attempted_at, _ms(started), None, error=f"refused: {exc}"[:500])
        except TimeoutError:
            return AttemptResult(
                attempted_at, _ms(started), None, error=f"timed out after {settings.webhook_timeout_s:g}s"
            )
        except httpx.HTTPError as exc:
            if refused(exc):
                log.warning("webhook %s to endpoint %s %s", item.message_id, item.endpoint_id, exc)
                return AttemptResult(attempted_at, _ms(started), None, error=str(exc)[:500])
            return AttemptResult(attempted_at, _ms(started), None, error=f"{type(exc).__name__}: {exc}"[:500])
        return AttemptResult(
            attempted_at,
            _ms(started),
            response.status_code,
            response_excerpt=excerpt,
            retry_after_s=parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC)),
        )

    async def _check_through_proxy(self, url: str) -> None:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        await self._destinations.addresses(parts.hostname or "", port)


async def _refresh_gauge(session: AsyncSession, _now: datetime) -> int:
    await service.refresh_disabled_gauge(session)
    return 0


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _excerpt(response: httpx.Response, limit: int) -> str:
    """The start of the response body, without reading a large one to its end, cleaned."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit * 4:  # a UTF-8 character is at most 4 bytes
            break
    return sanitised(b"".join(chunks).decode("utf-8", errors="replace"), limit)


def sanitised(text: str, limit: int) -> str:
    """At most ``limit`` characters of text on one line: control, format and private-use characters
    dropped, whitespace runs (newlines included) made one space. The excerpt is shown to ops and to the
    merchant, so it carries no markup-breaking or terminal-control bytes and nothing long."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(kept.split())[:limit]
