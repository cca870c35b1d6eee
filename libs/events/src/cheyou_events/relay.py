"""The outbox relay: publishes committed outbox rows in sequence order, then marks them published.

Delivery is at least once: a crash between the publish and the mark publishes the rows again after the
restart, with the same event ids, and the consumers' inbox absorbs the duplicate.

One active relay per database. Several instances may run (one per service replica); they elect the
active one with a session-level advisory lock, and the others stand by until its connection drops. We
chose this over ``FOR UPDATE SKIP LOCKED`` batches on purpose: with concurrent relays, two batches can
carry events of the same member and be sent concurrently, so the member's events could reach Kafka out
of order. A single relay publishing in sequence order — with aiokafka keeping one batch per partition in
flight — keeps per-key order, and one relay sends tens of thousands of events per second, far above our
write rate. Writers of the same key are serialised in ``add_events`` so sequence order is commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import Span, Status, StatusCode

from cheyou_events.envelope import binary_headers
from cheyou_events.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from cheyou_events.outbox import NOTIFY_CHANNEL, RELAY_LOCK_NAMESPACE
from cheyou_events.settings import OutboxSettings
from cheyou_events.tracing import span_trace_context, start_publish_span

log = logging.getLogger(__name__)

_SELECT_BATCH = """
SELECT id, topic, key, type, source, subject, time, payload::text AS payload, traceparent, tracestate
FROM event_outbox
WHERE published_at IS NULL
ORDER BY sequence
LIMIT $1
FOR UPDATE
"""
_BACKLOG = """
SELECT count(*) AS backlog,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_age_s
FROM event_outbox
WHERE published_at IS NULL
"""
_MARK_PUBLISHED = "UPDATE event_outbox SET published_at = now() WHERE id = ANY($1::uuid[])"
_PURGE = """
DELETE FROM event_outbox WHERE id IN (
    SELECT id FROM event_outbox
    WHERE created_at < now() - $1::interval AND published_at < now() - $1::interval
    LIMIT 5000
)
"""
# Inbox rows only need to outlive any redelivery: a broker keeps records for days, a replay republishes
# from the producer's outbox (kept `retention_days`), so the inbox keeps longer than both.
_PURGE_INBOX = """
DELETE FROM event_inbox WHERE (consumer_group, event_id) IN (
    SELECT consumer_group, event_id FROM event_inbox WHERE processed_at < now() - $1::interval LIMIT 5000
)
"""


def asyncpg_dsn(dsn: str) -> str:
    """asyncpg wants ``postgresql://``; accept SQLAlchemy's ``postgresql+asyncpg://`` too."""
    scheme, sep, rest = dsn.partition("://")
    return f"postgresql://{rest}" if sep and scheme.startswith("postgresql+") else dsn


class OutboxRelay:
    """Publishes a database's outbox. ``start()``/``stop()`` for an app lifespan, or ``await run()``."""

    def __init__(
        self,
        dsn: str,
        producer: AIOKafkaProducer,
        settings: OutboxSettings | None = None,
        *,
        name: str = "outbox-relay",
    ) -> None:
        self._dsn = asyncpg_dsn(dsn)
        self._producer = producer
        self._settings = settings or OutboxSettings()
        self._name = name
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection[Any] | None = None
        self._active = False

    @property
    def is_active(self) -> bool:
        """Whether this instance holds the relay lock (the others stand by)."""
        return self._active

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(), name=self._name)

    async def stop(self) -> None:
        """Finish the batch in flight, release the lock and close the connection."""
        self._stopping.set()
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last_purge = last_backlog = 0.0
        try:
            while not self._stopping.is_set():
                try:
                    if not await self._ensure_active():
                        await self._sleep(self._settings.standby_retry_s)
                        continue
                    self._wakeup.clear()
                    now = loop.time()
                    if now - last_backlog > 5:
                        # Before publishing: while Kafka is down every publish fails, and the backlog
                        # and its age are exactly what the alerts need then.
                        last_backlog = now
                        await self._report_backlog()
                    published = await self.publish_batch()
                    if now - last_purge > self._settings.purge_interval_s:
                        last_purge = now
                        await self.purge()
                    if published < self._settings.batch_size:
                        await self._sleep(self._settings.poll_interval_s, wake_on_notify=True)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("outbox relay %s: database error, reconnecting: %r", self._name, exc)
                    await self._disconnect()
                    await self._sleep(self._settings.error_backoff_s)
                except Exception:
                    # Kafka unreachable or a send failed: the batch was rolled back and will be sent again.
                    log.exception("outbox relay %s: publish failed, retrying", self._name)
                    await self._sleep(self._settings.error_backoff_s)
        finally:
            await self._disconnect()

    async def publish_batch(self) -> int:
        """Publish the oldest unpublished rows (up to ``batch_size``); returns how many."""
        conn = self._conn
        if conn is None or not self._active:
            raise RuntimeError("the relay is not active")
        async with conn.transaction():
            rows = await conn.fetch(_SELECT_BATCH, self._settings.batch_size)
            if not rows:
                return 0
            spans: list[Span] = []
            try:
                sends = [await self._send(row, spans) for row in rows]
                await asyncio.gather(*sends)
            except BaseException as exc:
                for span in spans:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR))
                raise
            finally:
                for span in spans:
                    span.end()
            await self._before_mark([row["id"] for row in rows])
            await conn.execute(_MARK_PUBLISHED, [row["id"] for row in rows])
        for row in rows:
            EVENTS_PUBLISHED.labels(self._settings.topic_prefix + row["topic"]).inc()
        return len(rows)

    async def _send(self, row: asyncpg.Record, spans: list[Span]) -> asyncio.Future[Any]:
        """Hand one row to the producer (in a ``publish`` span when the row is traced); returns the
        future of the broker's acknowledgement."""
        topic = self._settings.topic_prefix + row["topic"]
        traceparent, tracestate = row["traceparent"], row["tracestate"]
        span = start_publish_span(
            event_type=row["type"],
            event_id=str(row["id"]),
            topic=topic,
            traceparent=traceparent,
            tracestate=tracestate,
        )
        if span is not None:
            spans.append(span)
            traceparent, tracestate = span_trace_context(span)
        future: asyncio.Future[Any] = await self._producer.send(
            topic,
            value=row["payload"].encode(),
            key=row["key"].encode(),
            headers=binary_headers(
                id=row["id"],
                source=row["source"],
                type=row["type"],
                time=row["time"],
                partitionkey=row["key"],
                subject=row["subject"],
                traceparent=traceparent,
                tracestate=tracestate,
            ),
        )
        return future

    async def purge(self) -> int:
        """Delete outbox rows published longer ago than ``retention_days`` and inbox rows processed
        longer ago than ``inbox_retention_days``, in chunks; returns how many rows went."""
        if self._conn is None:
            return 0
        deleted = 0
        for statement, days in (
            (_PURGE, self._settings.retention_days),
            (_PURGE_INBOX, self._settings.inbox_retention_days),
        ):
            while True:
                status = await self._conn.execute(statement, timedelta(days=days))
                count = int(status.split()[-1])
                deleted += count
                if count < 5000:
                    break
        return deleted

    async def _before_mark(self, event_ids: list[Any]) -> None:
        """Between the publish and the mark: the window a crash republishes. Tests override it."""

    async def _ensure_active(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            self._active = False
            self._conn = await asyncpg.connect(self._dsn)
            await self._conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
        if not self._active:
            self._active = bool(
                await self._conn.fetchval("SELECT pg_try_advisory_lock($1, 0)", RELAY_LOCK_NAMESPACE)
            )
            if self._active:
                log.info("outbox relay %s is now the active relay", self._name)
        return self._active

    async def _report_backlog(self) -> None:
        if self._conn is not None:
            row = await self._conn.fetchrow(_BACKLOG)
            assert row is not None
            OUTBOX_BACKLOG.labels(self._name).set(row["backlog"])
            OUTBOX_OLDEST_AGE.labels(self._name).set(row["oldest_age_s"])

    def _on_notify(self, *_: object) -> None:
        self._wakeup.set()

    async def _sleep(self, seconds: float, *, wake_on_notify: bool = False) -> None:
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if wake_on_notify:
            waits.append(asyncio.ensure_future(self._wakeup.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()

    async def _disconnect(self) -> None:
        conn, self._conn, self._active = self._conn, None, False
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await conn.close(timeout=5)  # closing the session releases the relay lock


async def replay(
    dsn: str,
    *,
    since: datetime,
    until: datetime,
    types: list[str] | None = None,
    key: str | None = None,
) -> int:
    """Mark the selected published rows unpublished so the relay sends them again, same ids and order.

    Selects on ``created_at`` in ``[since, until)``; returns how many rows were queued for replay.
    """
    conn = await asyncpg.connect(asyncpg_dsn(dsn))
    try:
        async with conn.transaction():
            status = await conn.execute(
                """
                UPDATE event_outbox SET published_at = NULL
                WHERE created_at >= $1 AND created_at < $2 AND published_at IS NOT NULL
                  AND ($3::text[] IS NULL OR type = ANY($3::text[]))
                  AND ($4::text IS NULL OR key = $4::text)
                """,
                since,
                until,
                types,
                key,
            )
            await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
        return int(status.split()[-1])
    finally:
        await conn.close()
