"""A consumer in a process of its own, for the SIGKILL test.

``python consumer_process.py DSN BOOTSTRAP GROUP TOPIC BROKER_KIND``

It applies each batch, and after the batch's transactions have committed and before the offsets are
committed it kills itself with SIGKILL — the real crash, not an exception.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping

from aiokafka import TopicPartition
from cheyou_events import ConsumerSettings, EventConsumer, KafkaSettings
from cheyou_events.testing import record_effect
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


class KilledBeforeOffsetCommit(EventConsumer):
    async def _before_offset_commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        print(f"killing myself before committing {offsets}", flush=True)  # noqa: T201
        os.kill(os.getpid(), signal.SIGKILL)


async def main(dsn: str, bootstrap: str, group: str, topic: str, broker_kind: str) -> None:
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    consumer = KilledBeforeOffsetCommit(
        group_id=group,
        topics=[topic],
        handlers={"cheyou.member.tier_changed.v1": record_effect(group)},
        session_factory=async_sessionmaker(engine, expire_on_commit=False),
        bootstrap=bootstrap,
        settings=ConsumerSettings(poll_timeout_ms=100, heartbeat_interval_ms=300, aux_topic_partitions=2),
        kafka=KafkaSettings(bootstrap_servers=bootstrap, broker_kind=broker_kind),
    )
    await consumer.start()
    await asyncio.sleep(60)  # killed long before


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
