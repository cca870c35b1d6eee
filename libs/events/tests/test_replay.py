"""``python -m cheyou_events replay`` republishes exactly the selected rows; consumers dedupe them."""

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from cheyou_devinfra import ensure_topics
from cheyou_events import (
    OutboxRelay,
    OutboxSettings,
    add_events,
    event_outbox,
)
from cheyou_events.testing import effect_counts, eventually, read_topic, tier_changed
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from .conftest import Broker, Database, NewConsumer

TIER_CHANGED = "cheyou.member.tier_changed.v1"


async def test_replay_republishes_exactly_the_selected_events_and_consumers_ignore_them(
    db: Database,
    kafka: Broker,
    producer: AIOKafkaProducer,
    prefix: str,
    topic: str,
    group: str,
    new_consumer: NewConsumer,
) -> None:
    await ensure_topics(kafka.bootstrap, {topic: 3})
    yesterday = [tier_changed("M-1", 0), tier_changed("M-2", 0)]
    today = [tier_changed("M-1", 1), tier_changed("M-1", 2), tier_changed("M-2", 1)]
    async with db.sessions() as session, session.begin():
        await add_events(session, yesterday + today)
        await session.execute(
            update(event_outbox)
            .where(event_outbox.c.id.in_([e.id for e in yesterday]))
            .values(created_at=func.now() - timedelta(days=1))
        )
    consumer = new_consumer()
    relay = OutboxRelay(db.dsn, producer, OutboxSettings(topic_prefix=prefix, poll_interval_s=0.2))
    await relay.start()
    await consumer.start()
    try:
        await eventually(lambda: db.applied(5), what="the first publication")
        since = datetime.now(UTC) - timedelta(hours=1)

        replayed = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cheyou_events", "replay", "--dsn", db.dsn,
            "--since", since.isoformat(), "--until", (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
            "--type", TIER_CHANGED, "--key", "M-1",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await replayed.communicate()
        assert replayed.returncode == 0, output.decode()
        assert "2 event(s) queued for replay" in output.decode()

        await eventually(lambda: _duplicates(group, 2), what="the replayed events to be consumed")
        await asyncio.sleep(0.5)
    finally:
        await consumer.stop()
        await relay.stop()

    published = [dict(r.headers)["ce_id"].decode() for r in await read_topic(kafka.bootstrap, topic)]
    expected = {str(e.id): 1 for e in yesterday + today} | {str(today[0].id): 2, str(today[1].id): 2}
    assert {i: published.count(i) for i in set(published)} == expected
    assert await effect_counts(db.sessions) == {e.id: 1 for e in yesterday + today}
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).where(event_outbox.c.published_at.is_(None))) == 0


async def _duplicates(group: str, n: int) -> bool:
    labels = {"group": group, "type": TIER_CHANGED, "outcome": "duplicate"}
    return (REGISTRY.get_sample_value("cheyou_events_consumed_total", labels) or 0) >= n
