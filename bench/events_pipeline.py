"""Outbox → broker → inbox against raw aiokafka produce → consume, on the same broker, in one run.

    python bench/events_pipeline.py [--events 20000] [--paced-seconds 10]

Uses POSTGRES_DSN / KAFKA_BOOTSTRAP_SERVERS / KAFKA_BROKER_KIND when set (``make bench``); otherwise
starts Postgres and Kafka through cheyou_devinfra for the run and stops them afterwards.

Measured:
- raw: aiokafka producer → consumer (no group commit per record, no database), events/s and latency
  from ``send`` to receipt;
- pipeline: ``add_events`` + commit (8 concurrent writers; 50 events per transaction, as a batch job
  writes, and 1 per transaction, as a request handler writes) → OutboxRelay → Kafka → EventConsumer
  (inbox rows + handler writes in one transaction, then offset commit), events/s from the first outbox
  commit to the last inbox commit, and latency from each event's outbox commit to its inbox commit;
- paced: the pipeline at a steady 1,000 events/s, p50/p99 latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from cheyou_events import (
    ConsumerSettings,
    Envelope,
    EventConsumer,
    KafkaSettings,
    OutboxRelay,
    OutboxSettings,
    add_events,
    create_producer,
    events_metadata,
    to_record,
)
from cheyou_events.consumer import Handler
from cheyou_events.testing import effect_log, effects_metadata, tier_changed
from harness import machine, percentile
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

KEYS = 1000
PARTITIONS = 6
WRITERS = 8


@dataclass
class Result:
    name: str
    events: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def pct(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.events:>7} events {self.rate:>9.0f} ev/s  "
            f"p50 {self.pct(0.50):>7.1f} ms  p99 {self.pct(0.99):>7.1f} ms"
        )


async def bench_raw(kafka: KafkaSettings, topic: str, n: int) -> Result:
    from cheyou_devinfra import ensure_topics

    await ensure_topics(kafka.bootstrap_servers, {topic: PARTITIONS})
    records = [to_record(tier_changed(f"M-{i % KEYS}", i)) for i in range(n)]
    sent: dict[bytes, float] = {}
    received: dict[bytes, float] = {}
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=1000,
    )
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)

    async def consume() -> None:
        while len(received) < n:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for tp, tp_records in batch.items():
                for r in tp_records:
                    received[dict(r.headers)["ce_id"]] = now
                await consumer.commit({tp: tp_records[-1].offset + 1})

    reader = asyncio.create_task(consume())
    producer = create_producer(kafka)
    await producer.start()
    start = time.perf_counter()
    futures = []
    for record in records:
        ce_id = dict(record.headers)["ce_id"]
        sent[ce_id] = time.perf_counter()
        futures.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
    await asyncio.gather(*futures)
    await asyncio.wait_for(reader, timeout=120)
    end = max(received.values())
    await producer.stop()
    await consumer.stop()
    return Result("raw aiokafka", n, end - start, [(received[k] - sent[k]) * 1000 for k in sent])


class TimedConsumer(EventConsumer):
    """Records when each event's inbox transaction committed."""

    committed_at: dict[uuid.UUID, float]

    async def _apply(
        self, handler: Handler, envelope: Envelope[Any], headers: list[tuple[str, bytes]]
    ) -> bool:
        applied = await super()._apply(handler, envelope, headers)
        self.committed_at[envelope.id] = time.perf_counter()
        return applied

    async def _apply_many(self, ready: list[Any]) -> list[tuple[str, bool]]:
        outcomes = await super()._apply_many(ready)
        now = time.perf_counter()
        for _, _, envelope in ready:
            self.committed_at[envelope.id] = now
        return outcomes


async def bench_pipeline(
    kafka: KafkaSettings, dsn: str, n: int, *, paced_rate: float | None, name: str, per_transaction: int = 1
) -> Result:
    from cheyou_devinfra import ensure_database, ensure_topics

    database = await ensure_database(dsn, f"bench_{uuid.uuid4().hex[:8]}")
    engine = create_async_engine(database.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=30)
    async with engine.begin() as conn:
        await conn.run_sync(events_metadata.create_all)
        await conn.run_sync(effects_metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    topic = f"{prefix}member.events"
    await ensure_topics(kafka.bootstrap_servers, {topic: PARTITIONS})

    async def handle(session: AsyncSession, event: Envelope[Any]) -> None:
        await session.execute(
            insert(effect_log).values(
                consumer_group="bench",
                event_id=event.id,
                key=event.partitionkey,
                seq=event.data.contribution_fen,
            )
        )

    producer = create_producer(kafka)
    await producer.start()
    relay = OutboxRelay(database, producer, OutboxSettings(topic_prefix=prefix, batch_size=1000))
    consumer = TimedConsumer(
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        topics=[topic],
        handlers={"cheyou.member.tier_changed.v1": handle},
        session_factory=sessions,
        bootstrap=kafka.bootstrap_servers,
        settings=ConsumerSettings(max_concurrency=24, max_poll_records=1000, poll_timeout_ms=100),
        kafka=kafka,
    )
    consumer.committed_at = {}
    await relay.start()
    await consumer.start()
    await consumer.wait_assigned()

    # The writers are the service's request handlers: another process, as in production, so that their
    # CPU does not starve the relay's and the consumer's event loop.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        committed = await asyncio.get_running_loop().run_in_executor(
            pool, write_events, database, n, paced_rate, per_transaction
        )
    deadline = time.perf_counter() + 120
    while len(consumer.committed_at) < n and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    await consumer.stop()
    await relay.stop()
    await producer.stop()
    await engine.dispose()
    done = consumer.committed_at
    if len(done) < n:
        raise RuntimeError(f"{name}: only {len(done)} of {n} events arrived")
    first = min(committed.values())
    return Result(name, n, max(done.values()) - first, [(done[i] - committed[i]) * 1000 for i in committed])


def write_events(dsn: str, n: int, paced_rate: float | None, per_transaction: int) -> dict[uuid.UUID, float]:
    """In a process of its own: WRITERS concurrent writers commit n events; returns each commit time."""

    async def main() -> dict[uuid.UUID, float]:
        engine = create_async_engine(
            dsn.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=WRITERS
        )
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        events = [tier_changed(f"M-{i % KEYS}", i) for i in range(n)]
        committed: dict[uuid.UUID, float] = {}
        start = time.perf_counter()

        async def writer(share: list[Envelope[Any]], offset: int) -> None:
            for i in range(0, len(share), per_transaction):
                if paced_rate is not None:
                    due = start + (offset + i * WRITERS) / paced_rate
                    if (delay := due - time.perf_counter()) > 0:
                        await asyncio.sleep(delay)
                chunk = share[i : i + per_transaction]
                async with sessions() as session, session.begin():
                    await add_events(session, chunk)
                now = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes on Linux
                for event in chunk:
                    committed[event.id] = now

        await asyncio.gather(*(writer(events[w::WRITERS], w) for w in range(WRITERS)))
        await engine.dispose()
        return committed

    return asyncio.run(main())


async def run(args: argparse.Namespace) -> None:
    manager = None
    if os.environ.get("POSTGRES_DSN") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        postgres, bootstrap = os.environ["POSTGRES_DSN"], os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        kind = os.environ.get("KAFKA_BROKER_KIND", "external")
    else:
        from cheyou_devinfra import InfraManager

        state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
        os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
        manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        infra = await asyncio.to_thread(manager.start)
        postgres, bootstrap, kind = infra.postgres_dsn, infra.kafka_bootstrap, infra.broker
    kafka = KafkaSettings(
        bootstrap_servers=bootstrap, broker_kind=kind if kind in ("tansu", "apache-kafka") else "external"
    )
    try:
        print(machine())  # noqa: T201
        print(f"broker {kind} at {bootstrap}; {args.events} events over {KEYS} keys, {PARTITIONS} partitions")  # noqa: T201
        # A warm-up round so that neither side pays for connections, JIT-free imports and group joins.
        await bench_raw(kafka, f"warm{uuid.uuid4().hex[:6]}", 2000)
        await bench_pipeline(kafka, postgres, 2000, paced_rate=None, name="warm-up")
        raw = await bench_raw(kafka, f"raw{uuid.uuid4().hex[:6]}", args.events)
        pipeline = await bench_pipeline(
            kafka, postgres, args.events, paced_rate=None, name="outbox → inbox (50/txn)", per_transaction=50
        )
        single = await bench_pipeline(
            kafka, postgres, args.events // 2, paced_rate=None, name="outbox → inbox (1/txn)"
        )
        paced_n = int(args.paced_seconds * 1000)
        paced = await bench_pipeline(kafka, postgres, paced_n, paced_rate=1000, name="outbox → inbox @1000/s")
        for result in (raw, pipeline, single, paced):
            print(result.line())  # noqa: T201
        print(f"pipeline / raw throughput: {pipeline.rate / raw.rate:.1%} (target >= 30%)")  # noqa: T201
        print(f"paced p99: {paced.pct(0.99):.1f} ms (target < 200 ms)")  # noqa: T201
        summary = {
            r.name: {
                "events": r.events,
                "events_per_s": round(r.rate),
                "p50_ms": round(r.pct(0.5), 1),
                "p99_ms": round(r.pct(0.99), 1),
            }
            for r in (raw, pipeline, single, paced)
        }
        print(json.dumps(summary))  # noqa: T201
    finally:
        if manager is not None:
            await asyncio.to_thread(manager.stop)
            shutil.rmtree(manager.state_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--paced-seconds", type=float, default=10)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
