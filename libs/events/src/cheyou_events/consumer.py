"""The consumer runner: decode, dedupe through the inbox, run the handler, commit, then commit offsets.

Per record::

    decode + validate against the catalogue ─ malformed ──────────────────► <group>.dlq
    BEGIN; INSERT INTO event_inbox … ON CONFLICT DO NOTHING   ─ conflict → already done, skip
           await handler(session, envelope)   ─ raises → ROLLBACK ─┬─► <group>.retry (attempt < N)
    COMMIT                                                         └─► <group>.dlq   (attempt = N)

and per batch, once every record of a partition is done: ``commit({tp: last_offset + 1})``.

Concurrency: within a batch, each partition's records are split into lanes by a hash of their key;
lanes run concurrently (bounded by ``max_concurrency``) and each runs its records in offset order, in
transactions of up to ``transaction_batch`` events, so one member's events are applied in order. A
failing handler rolls its transaction back and the lane replays those events one per transaction.

Retries go through ``<group>.retry``, read by a second consumer (group ``<group>.retry``) that waits
until each record's due time: a failing event therefore lets the events behind it (even of the same
key) pass — order is traded for liveness only for events that failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cheyou_events.envelope import Envelope, Headers, MalformedEvent, event_type_of, from_record, header_map
from cheyou_events.event import Catalogue, catalogue
from cheyou_events.metrics import (
    CONSUMER_LAG,
    DLQ_DEPTH,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_FAILED,
    EVENTS_RETRIED,
)
from cheyou_events.outbox import event_inbox
from cheyou_events.producer import create_producer
from cheyou_events.settings import ConsumerSettings, KafkaSettings
from cheyou_events.topics import dlq_topic, ensure_topics, retry_topic
from cheyou_events.tracing import context_from_headers, tracer

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]
"""``async def handle(session: AsyncSession, event: Envelope[TierChanged]) -> None``"""

# Control headers the runner adds on the retry and dead-letter topics; everything else is the original.
H_ATTEMPT = "x-cheyou-attempt"
H_DUE = "x-cheyou-due-ms"
H_ORIGINAL_TOPIC = "x-cheyou-original-topic"
H_ORIGINAL_PARTITION = "x-cheyou-original-partition"
H_ORIGINAL_OFFSET = "x-cheyou-original-offset"
H_GROUP = "x-cheyou-group"
H_ERROR_CLASS = "x-cheyou-error-class"
H_ERROR_MESSAGE = "x-cheyou-error-message"
H_ERROR_TRACEBACK = "x-cheyou-error-traceback"
H_ATTEMPTS = "x-cheyou-attempts"
H_DLQ_REASON = "x-cheyou-dlq-reason"
H_FAILED_AT = "x-cheyou-failed-at"
_ORIGIN = (H_ORIGINAL_TOPIC, H_ORIGINAL_PARTITION, H_ORIGINAL_OFFSET)
_CONTROL = frozenset({H_ATTEMPT, H_DUE, H_ERROR_CLASS, H_ERROR_MESSAGE, H_ERROR_TRACEBACK})

# Executed with the rows as parameters, never as ``.values(rows)``: SQLAlchemy does not cache a multi-row
# VALUES, so that form compiled the statement again for every chunk. Returns the ids that were new.
_RECORD_IN_INBOX = pg_insert(event_inbox).on_conflict_do_nothing().returning(event_inbox.c.event_id)


class EventConsumer:
    """Consumes ``topics`` as ``group_id`` and applies each handled event exactly once per group.

    ``start()`` and ``stop()`` fit an app lifespan; ``stop()`` finishes the batch in flight, commits its
    offsets and leaves the group.
    """

    def __init__(
        self,
        *,
        group_id: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        session_factory: async_sessionmaker[AsyncSession],
        bootstrap: str,
        settings: ConsumerSettings | None = None,
        kafka: KafkaSettings | None = None,
        producer: AIOKafkaProducer | None = None,
        events: Catalogue = catalogue,
        client_id: str | None = None,
    ) -> None:
        unknown = [t for t in handlers if t not in events]
        if unknown:
            raise ValueError(f"handlers for types missing from the catalogue: {unknown}")
        self.group_id = group_id
        self.topics = list(topics)
        self._handlers = dict(handlers)
        self._session_factory = session_factory
        self._bootstrap = bootstrap
        self._settings = settings or ConsumerSettings()
        self._kafka = (kafka or KafkaSettings()).model_copy(update={"bootstrap_servers": bootstrap})
        self._events = events
        self._client_id = client_id or group_id
        self._own_producer = producer is None
        self._producer = producer or create_producer(self._kafka, client_id=f"{self._client_id}-dlq")
        self._slots = asyncio.Semaphore(self._settings.max_concurrency)
        self._stopping = asyncio.Event()
        self._loops: list[_GroupLoop] = []
        self._dlq_monitor: asyncio.Task[None] | None = None

    @property
    def retry_topic(self) -> str:
        return retry_topic(self.group_id)

    @property
    def dlq_topic(self) -> str:
        return dlq_topic(self.group_id)

    async def start(self) -> None:
        self._stopping.clear()
        if self._settings.create_aux_topics:
            partitions = self._settings.aux_topic_partitions
            await ensure_topics(
                self._bootstrap, {self.retry_topic: partitions, self.dlq_topic: partitions}, kafka=self._kafka
            )
        if self._own_producer:
            await self._producer.start()
        self._loops = [
            _GroupLoop(self, self.group_id, self.topics, from_retry=False),
            _GroupLoop(self, f"{self.group_id}.retry", [self.retry_topic], from_retry=True),
        ]
        for loop in self._loops:
            await loop.start()
        self._dlq_monitor = asyncio.create_task(self._monitor_dlq(), name=f"dlq depth {self.group_id}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._dlq_monitor is not None:
            self._dlq_monitor.cancel()
            await asyncio.wait([self._dlq_monitor])  # unlike suppress(CancelledError), keeps our own cancel
            self._dlq_monitor = None
        for loop in self._loops:
            await loop.stop()
        self._loops = []
        if self._own_producer:
            await self._producer.stop()

    async def wait_assigned(self, within_s: float = 30) -> None:
        """Until both group loops own partitions (handy in tests and readiness probes)."""
        async with asyncio.timeout(within_s):
            while not all(loop.consumer is not None and loop.consumer.assignment() for loop in self._loops):  # noqa: ASYNC110
                await asyncio.sleep(0.05)  # aiokafka offers no "assigned" event to wait on

    async def dlq_depth(self) -> int:
        """Records in ``<group>.dlq`` now: end minus start offsets (draining deletes records up to an
        offset, which moves the start)."""
        partitions = await self._producer.partitions_for(self.dlq_topic)
        tps = [TopicPartition(self.dlq_topic, p) for p in sorted(partitions)]
        # A consumer of no group, only for offsets: the group's own consumers stay out of it.
        probe = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            client_id=f"{self._client_id}-dlq-depth",
            **self._kafka.client_options(),
        )
        await probe.start()
        try:
            ends = await probe.end_offsets(tps)
            starts = await probe.beginning_offsets(tps)
        finally:
            await probe.stop()
        return sum(max(ends[tp] - starts[tp], 0) for tp in tps)

    async def _monitor_dlq(self) -> None:
        """``cheyou_events_dlq_depth`` every ``metrics_interval_s``; a failed look is logged and retried."""
        # It ends on the stop flag, not only on ``cancel()``: aiokafka's client swallows a cancellation that
        # arrives while it closes (``suppress(CancelledError)`` around its own task), and the monitor then
        # went on sleeping and looking, so ``stop()`` waited for it forever.
        while not self._stopping.is_set():
            try:
                async with asyncio.timeout(max(10.0, self._settings.metrics_interval_s)):
                    depth = await self.dlq_depth()
                DLQ_DEPTH.labels(self.group_id, self.dlq_topic).set(depth)
            except (KafkaError, TimeoutError, OSError) as exc:
                log.warning("%s: could not read the depth of %s: %r", self.group_id, self.dlq_topic, exc)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.metrics_interval_s):
                    await self._stopping.wait()

    # ---- one record -------------------------------------------------------------------------------

    async def _handle_record(self, record: ConsumerRecord[bytes, bytes], *, from_retry: bool) -> None:
        headers: Headers = list(record.headers)
        try:
            event_type = event_type_of(headers)
            if event_type not in self._events:
                raise MalformedEvent("unknown_type", event_type)
            handler = self._handlers.get(event_type)
            if handler is None:
                # A known event this group does not care about: acknowledge it without decoding.
                EVENTS_CONSUMED.labels(self.group_id, event_type, "skipped").inc()
                return
            envelope = from_record(headers, record.value, events=self._events)
        except MalformedEvent as exc:
            await self._dead_letter(record, exc, reason=exc.reason, attempts=0)
            return

        attempt = int(header_map(headers).get(H_ATTEMPT, "1")) if from_retry else 1
        if from_retry:
            await self._wait_until_due(headers)
        try:
            async with self._slots:
                applied = await self._apply(handler, envelope, headers)
        except Exception as exc:
            await self._handler_failed(record, envelope, exc, attempt)
            return
        EVENTS_CONSUMED.labels(self.group_id, event_type, "processed" if applied else "duplicate").inc()

    async def _handler_failed(
        self, record: ConsumerRecord[bytes, bytes], envelope: Envelope[Any], exc: Exception, attempt: int
    ) -> None:
        EVENTS_FAILED.labels(self.group_id, envelope.type).inc()
        if attempt < self._settings.max_attempts:
            log.warning(
                "%s: %s %s failed (attempt %d), retrying", self.group_id, envelope.type, envelope.id, attempt
            )
            await self._retry(record, exc, attempt)
        else:
            log.error(
                "%s: %s %s failed %d times, to the DLQ", self.group_id, envelope.type, envelope.id, attempt
            )
            await self._dead_letter(record, exc, reason="handler_failed", attempts=attempt)

    async def _handle_chunk(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Several records of one lane in one transaction; falls back to one by one on a failure."""
        ready: list[tuple[ConsumerRecord[bytes, bytes], Handler, Envelope[Any]]] = []
        for record in records:
            try:
                event_type = event_type_of(record.headers)
                if event_type not in self._events:
                    raise MalformedEvent("unknown_type", event_type)
                handler = self._handlers.get(event_type)
                if handler is None:
                    EVENTS_CONSUMED.labels(self.group_id, event_type, "skipped").inc()
                    continue
                ready.append(
                    (record, handler, from_record(record.headers, record.value, events=self._events))
                )
            except MalformedEvent as exc:
                await self._dead_letter(record, exc, reason=exc.reason, attempts=0)
        if not ready:
            return
        await self._apply_ready(ready)

    async def _apply_ready(
        self, ready: list[tuple[ConsumerRecord[bytes, bytes], Handler, Envelope[Any]]]
    ) -> None:
        try:
            async with self._slots:
                outcomes = await self._apply_many(ready)
        except _HandlerFailed as failed:
            # The whole transaction rolled back: the failing event takes its first attempt's way (retry
            # topic), the others are applied again without it.
            record, _, envelope = ready[failed.index]
            await self._handler_failed(record, envelope, failed.error, attempt=1)
            rest = ready[: failed.index] + ready[failed.index + 1 :]
            if rest:
                await self._apply_ready(rest)
            return
        for event_type, applied in outcomes:
            EVENTS_CONSUMED.labels(self.group_id, event_type, "processed" if applied else "duplicate").inc()

    async def _apply_many(
        self, ready: list[tuple[ConsumerRecord[bytes, bytes], Handler, Envelope[Any]]]
    ) -> list[tuple[str, bool]]:
        """One transaction: the inbox rows (one statement), then each new event's handler, in order."""
        first_of_id: dict[Any, Envelope[Any]] = {}
        for _, _, envelope in ready:
            first_of_id.setdefault(envelope.id, envelope)
        outcomes: list[tuple[str, bool]] = []
        async with self._session_factory() as session, session.begin():
            rows = [self._inbox_row(envelope) for envelope in first_of_id.values()]
            inserted = set((await session.execute(_RECORD_IN_INBOX, rows)).scalars())
            for position, (record, handler, envelope) in enumerate(ready):
                if envelope.id not in inserted:
                    outcomes.append((envelope.type, False))
                    continue
                inserted.discard(envelope.id)  # the same event twice in one batch: apply it once
                try:
                    with self._process_span(envelope, record.headers):
                        await handler(session, envelope)
                except Exception as exc:
                    raise _HandlerFailed(position, exc) from exc
                outcomes.append((envelope.type, True))
        return outcomes

    async def _apply(self, handler: Handler, envelope: Envelope[Any], headers: Headers) -> bool:
        """The inbox row and the handler's writes in one transaction; False if already applied."""
        with self._process_span(envelope, headers):
            async with self._session_factory() as session, session.begin():
                inserted = await session.execute(_RECORD_IN_INBOX, self._inbox_row(envelope))
                if inserted.first() is None:
                    return False
                await handler(session, envelope)
            return True

    def _inbox_row(self, envelope: Envelope[Any]) -> dict[str, Any]:
        return {"consumer_group": self.group_id, "event_id": envelope.id, "event_type": envelope.type}

    def _process_span(self, envelope: Envelope[Any], headers: Sequence[tuple[str, bytes]]) -> Any:
        """A CONSUMER "process" span, child of the producer's trace context carried in the headers."""
        return tracer.start_as_current_span(
            f"{envelope.type} process",
            context=context_from_headers(header_map(headers)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.consumer.group.name": self.group_id,
                "messaging.message.id": str(envelope.id),
                "cloudevents.event_type": envelope.type,
            },
        )

    async def _before_offset_commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """After the batch's transactions committed and before its offsets are. Tests override it."""

    async def _wait_until_due(self, headers: Headers) -> None:
        due_ms = int(header_map(headers).get(H_DUE, "0"))
        delay = due_ms / 1000 - time.time()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
            if self._stopping.is_set():
                raise _Interrupted

    async def _retry(self, record: ConsumerRecord[bytes, bytes], exc: BaseException, attempt: int) -> None:
        delay = min(self._settings.retry_backoff_s * 2 ** (attempt - 1), self._settings.retry_backoff_max_s)
        headers = _passthrough(record)
        headers += _error_headers(exc)
        headers += [
            (H_ATTEMPT, str(attempt + 1).encode()),
            (H_DUE, str(int((time.time() + delay) * 1000)).encode()),
        ]
        await self._producer.send_and_wait(
            self.retry_topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_RETRIED.labels(self.group_id).inc()

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], exc: BaseException, *, reason: str, attempts: int
    ) -> None:
        headers = _passthrough(record)
        headers += _error_headers(exc)
        headers += [
            (H_DLQ_REASON, reason.encode()),
            (H_ATTEMPTS, str(attempts).encode()),
            (H_GROUP, self.group_id.encode()),
            (H_FAILED_AT, str(int(time.time() * 1000)).encode()),
        ]
        await self._producer.send_and_wait(
            self.dlq_topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_DEAD_LETTERED.labels(self.group_id, reason).inc()


class _HandlerFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


class _Interrupted(Exception):
    """Shutdown arrived while a retry waited for its due time: leave the record uncommitted."""


def _passthrough(record: ConsumerRecord[bytes, bytes]) -> Headers:
    """All original headers except our control headers, plus where the record first came from."""
    original = [(k, v) for k, v in record.headers if k not in _CONTROL]
    if not any(k == H_ORIGINAL_TOPIC for k, _ in original):
        original += [
            (H_ORIGINAL_TOPIC, record.topic.encode()),
            (H_ORIGINAL_PARTITION, str(record.partition).encode()),
            (H_ORIGINAL_OFFSET, str(record.offset).encode()),
        ]
    return original


def _error_headers(exc: BaseException) -> Headers:
    excerpt = "".join(traceback.format_exception(exc))[-4000:]
    return [
        (H_ERROR_CLASS, f"{type(exc).__module__}.{type(exc).__qualname__}".encode()),
        (H_ERROR_MESSAGE, str(exc)[:1000].encode()),
        (H_ERROR_TRACEBACK, excerpt.encode()),
    ]


class _GroupLoop(ConsumerRebalanceListener):  # type: ignore[misc]
    """One aiokafka consumer and its poll → process → commit loop."""

    def __init__(self, owner: EventConsumer, group_id: str, topics: list[str], *, from_retry: bool) -> None:
        self._owner = owner
        self._group_id = group_id
        self._topics = topics
        self._from_retry = from_retry
        self.consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: asyncio.Future[None] | None = None
        self._pending: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        settings = self._owner._settings
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=self._owner._bootstrap,
            group_id=self._group_id,
            client_id=f"{self._owner._client_id}{'-retry' if self._from_retry else ''}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=settings.max_poll_records,
            session_timeout_ms=settings.session_timeout_ms,
            heartbeat_interval_ms=settings.heartbeat_interval_ms,
            **self._owner._kafka.client_options(),
        )
        self.consumer.subscribe(self._topics, listener=self)
        await self.consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer {self._group_id}")

    async def stop(self) -> None:
        if self._task is not None:
            await self._task  # the loop sees the owner's stop flag after its current batch
            self._task = None
        if self.consumer is not None:
            await self.consumer.stop()  # leaves the group
            self.consumer = None

    async def _run(self) -> None:
        consumer = self.consumer
        assert consumer is not None
        owner = self._owner
        loop = asyncio.get_running_loop()
        reported = 0.0
        while not owner._stopping.is_set():
            try:
                if loop.time() - reported >= owner._settings.metrics_interval_s:
                    reported = loop.time()
                    await self._report_assigned_lag()
                batch = await consumer.getmany(timeout_ms=owner._settings.poll_timeout_ms)
                if not batch:
                    continue
                self._inflight = asyncio.ensure_future(self._process_batch(batch))
                try:
                    await asyncio.shield(self._inflight)
                finally:
                    self._inflight = None
                await self._commit_pending()
                self._report_lag(batch)
            except asyncio.CancelledError:
                raise
            except KafkaError:
                log.exception("%s: Kafka error in the consumer loop", self._group_id)
                await asyncio.sleep(1)
        await self._commit_pending()

    async def _process_batch(self, batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        await asyncio.gather(*(self._process_partition(tp, records) for tp, records in batch.items()))

    async def _process_partition(
        self, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> None:
        settings = self._owner._settings
        # As many lanes as it takes to fill transactions of ``transaction_batch``: per-event work is mostly
        # CPU (SQLAlchemy, pydantic), so a few full transactions beat many one-event ones.
        lane_count = min(settings.max_concurrency, -(-len(records) // settings.transaction_batch))
        if self._from_retry:
            lane_count = settings.max_concurrency  # retries wait for their due time, one by one
        lanes: dict[int, list[ConsumerRecord[bytes, bytes]]] = {}
        for record in records:
            lanes.setdefault(zlib.crc32(record.key or b"") % lane_count, []).append(record)

        async def run_lane(lane: list[ConsumerRecord[bytes, bytes]]) -> None:
            if self._from_retry or settings.transaction_batch == 1:
                for record in lane:  # retries wait for their due time, one by one
                    await self._owner._handle_record(record, from_retry=self._from_retry)
                return
            for start in range(0, len(lane), settings.transaction_batch):
                await self._owner._handle_chunk(lane[start : start + settings.transaction_batch])

        results = await asyncio.gather(*(run_lane(lane) for lane in lanes.values()), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if not errors:
            self._pending[tp] = records[-1].offset + 1
            return
        # Read the partition again from the first record of the batch; the inbox absorbs the repeats.
        self._rewind(tp, records[0].offset)
        failures = [e for e in errors if not isinstance(e, _Interrupted)]
        if failures:
            # The database or the broker failed under us (a handler's own failure goes to retry/DLQ).
            log.error(
                "%s: processing %s failed, rewinding to %d",
                self._group_id,
                tp,
                records[0].offset,
                exc_info=failures[0],
            )
            await asyncio.sleep(1)

    def _rewind(self, tp: TopicPartition, offset: int) -> None:
        if self.consumer is not None and tp in self.consumer.assignment():
            self.consumer.seek(tp, offset)

    async def _commit_pending(self, partitions: set[TopicPartition] | None = None) -> None:
        consumer = self.consumer
        if consumer is None:
            return
        assigned = consumer.assignment()
        offsets = {
            tp: offset
            for tp, offset in self._pending.items()
            if tp in assigned and (partitions is None or tp in partitions)
        }
        for tp in list(self._pending):
            if partitions is None or tp in partitions:
                del self._pending[tp]
        if not offsets:
            return
        await self._owner._before_offset_commit(offsets)
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The partitions moved to another member, which will see these records again; its inbox
            # check turns them into no-ops.
            log.warning("%s: offset commit lost to a rebalance: %s", self._group_id, exc)

    def _report_lag(self, batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        if self.consumer is None:
            return
        for tp, records in batch.items():
            highwater = self.consumer.highwater(tp)
            if highwater is not None:
                lag = max(highwater - (records[-1].offset + 1), 0)
                CONSUMER_LAG.labels(self._group_id, tp.topic, str(tp.partition)).set(lag)

    async def _report_assigned_lag(self) -> None:
        """The lag of every assigned partition, idle ones included (a batch reports only its own)."""
        consumer = self.consumer
        if consumer is None:
            return
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue  # nothing fetched from it yet: its position may not be known
            with contextlib.suppress(IllegalStateError, TimeoutError):
                async with asyncio.timeout(1):
                    position = await consumer.position(tp)
                CONSUMER_LAG.labels(self._group_id, tp.topic, str(tp.partition)).set(
                    max(highwater - position, 0)
                )

    # ---- rebalance listener (awaited by aiokafka during the rebalance) ----------------------------

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        inflight = self._inflight
        if inflight is not None:
            # Let the batch finish so its offsets are committed by us rather than redelivered.
            await asyncio.wait([inflight], timeout=self._owner._settings.revoke_wait_s)
        if inflight is None or inflight.done():
            await self._commit_pending(set(revoked))
        for tp in revoked:
            self._pending.pop(tp, None)
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(self._group_id, tp.topic, str(tp.partition))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("%s: assigned %s", self._group_id, sorted(assigned))
