"""Helpers for tests of code that publishes or consumes events, against a real broker and database.

- ``read_topic`` returns every record of a topic (no group, nothing committed);
- ``eventually`` polls an async probe until it answers (every suite's poll-until);
- ``EffectLog`` is a handler that records each application in a table without a unique key, so an event
  applied twice shows up as two rows — the observable of "exactly-once effects".
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, Uuid, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cheyou_events.catalogue import TierChanged
from cheyou_events.envelope import Envelope

T = TypeVar("T")

effects_metadata = MetaData()
effect_log = Table(
    "test_effect_log",
    effects_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("consumer_group", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("key", Text, nullable=False),
    Column("seq", Integer, nullable=False),
)


def tier_changed(member_id: str, seq: int, *, source: str = "member-svc") -> Envelope[TierChanged]:
    """A valid event whose ``contribution_fen`` carries a per-key sequence number."""
    return Envelope.new(
        TierChanged(
            member_id=member_id,
            from_tier="ordinary",
            to_tier="three_star",
            contribution_fen=seq,
            reason="recalculation",
            changed_at=datetime.now(UTC),
        ),
        source=source,
    )


def record_effect(group: str) -> Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]:
    """A handler that writes one ``test_effect_log`` row per application of a ``TierChanged``."""

    async def handle(session: AsyncSession, event: Envelope[TierChanged]) -> None:
        await session.execute(
            insert(effect_log).values(
                consumer_group=group,
                event_id=event.id,
                key=event.partitionkey,
                seq=event.data.contribution_fen,
            )
        )

    return handle


async def effect_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[uuid.UUID, int]:
    """How many times each event was applied."""
    async with sessions() as session:
        rows = await session.execute(
            select(effect_log.c.event_id, func.count()).group_by(effect_log.c.event_id)
        )
        return {row[0]: row[1] for row in rows}


async def read_topic(
    bootstrap: str, topic: str, *, within_s: float = 20
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record currently in ``topic``, partition by partition, in offset order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        async with asyncio.timeout(within_s):
            while not (partition_ids := consumer.partitions_for_topic(topic)):
                await consumer._client.force_metadata_update()  # the topic may be seconds old
                await asyncio.sleep(0.1)
        partitions = [TopicPartition(topic, p) for p in sorted(partition_ids)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(within_s):
            for tp in partitions:
                while await consumer.position(tp) < ends[tp]:
                    batch = await consumer.getmany(tp, timeout_ms=200)
                    records.extend(batch.get(tp, []))
        return records
    finally:
        await consumer.stop()


async def eventually(
    probe: Callable[[], Awaitable[T | None]], within: float = 60.0, *, what: str = "the probe to pass"
) -> T:
    """Poll ``probe`` until it returns something other than None or False (the asynchronous effects of
    events) and return that; after ``within`` seconds raise :class:`TimeoutError` naming ``what``.

    The one poll-until of every suite (``cheyou_kit.testing`` re-exports it). The generous default is for
    loaded CI machines: a passing probe returns as soon as it can."""
    try:
        async with asyncio.timeout(within):
            while True:
                result = await probe()
                if result is not None and result is not False:
                    return result
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise TimeoutError(f"timed out after {within:g} s waiting for {what}") from None


def header_value(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    values = [v.decode() for k, v in record.headers if k == name]
    return values[-1] if values else None
