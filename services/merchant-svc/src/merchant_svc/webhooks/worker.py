"""The delivery worker: claims due deliveries from Postgres and sends them, never from a Kafka handler.

Several workers (one per replica) share the table: each claim takes due rows with ``FOR UPDATE SKIP
LOCKED`` and leases them (``leased_until``) for the duration of one attempt, so a crashed worker's rows
come back after the lease and a restart loses nothing. A claim takes at most an endpoint's free
``max_in_flight`` slots, and every request has a hard timeout, so a slow or dead merchant ties up at
most its own slots while the others' deliveries go on. Woken by ``NOTIFY webhook_deliveries`` (sent on
commit of the transaction that queued the delivery), with a poll as fallback.

Each request's connection goes to an address checked when it is opened (:mod:`.transport`), or through
the configured egress proxy; what the merchant answered is kept only as a short, cleaned excerpt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from cheyou_events.relay import asyncpg_dsn
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
    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], destinations: Destinations
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._destinations = destinations
        self._wake = asyncio.Event()
        self._stopping = False
        self._inflight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection[Any] | None = None
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._stopping = False
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
        try:
            # LISTEN needs a session of its own: the database itself, not a transaction pooler.
            self._listener = await asyncpg.connect(asyncpg_dsn(self._settings.direct_sqlalchemy_url))
            await self._listener.add_listener(repository.NOTIFY_CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError) as exc:  # polling still works
            log.warning("webhook worker cannot LISTEN, polling only: %s", exc)
        self._task = asyncio.create_task(self._run(), name="webhook delivery worker")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._inflight:
            # Attempts still running get a moment to finish; the rest are cancelled and their leases
            # expire, so another worker (or this one after a restart) tries them again.
            _, pending = await asyncio.wait(
                self._inflight, timeout=min(5.0, self._settings.webhook_timeout_s)
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        if self._client is not None:
            await self._client.aclose()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _run(self) -> None:
        settings = self._settings
        next_gauge = 0.0
        while not self._stopping:
            self._wake.clear()
            try:
                free = settings.webhook_worker_concurrency - len(self._inflight)
                claimed: list[Claimed] = []
                if free > 0:
                    async with self._sessions() as session, session.begin():
                        claimed = await repository.claim_due(
                            session, limit=free, lease_s=settings.webhook_timeout_s + LEASE_MARGIN_S
                        )
                for item in claimed:
                    task = asyncio.create_task(self._deliver(item), name=f"webhook {item.message_id}")
                    self._inflight.add(task)
                    task.add_done_callback(self._done)
                if time.monotonic() >= next_gauge:
                    async with self._sessions() as session:
                        await service.refresh_disabled_gauge(session)
                    next_gauge = time.monotonic() + GAUGE_REFRESH_S
                if free > 0 and len(claimed) == free:
                    continue  # there may be more due right now
                async with self._sessions() as session:
                    due_in = await repository.next_due_in(session)
                wait = (
                    settings.webhook_poll_interval_s
                    if due_in is None
                    else min(due_in, settings.webhook_poll_interval_s)
                )
            except Exception:
                log.exception("webhook worker loop failed; retrying")
                wait = settings.webhook_poll_interval_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.01))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()  # a slot (and maybe an endpoint's slot) is free
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
