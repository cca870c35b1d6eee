"""The daily jobs in the app: one replica runs them per interval, chunk after chunk, each job to its end."""

import asyncio
import logging
import uuid

import pytest
from notify_svc.config import Settings
from notify_svc.reminders.jobs import JOBS, DailyReminders
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def _finished(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [str(getattr(r, "job", "")) for r in caplog.records if r.getMessage() == "reminder job done"]


async def test_one_replica_runs_every_daily_job_to_its_end_per_interval(
    sessions: async_sessionmaker[AsyncSession],
    service_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="notify_svc.reminders.jobs")
    redis = Redis.from_url(service_settings.redis_url)
    replicas = [DailyReminders(sessions, redis, service_settings, interval_seconds=3600) for _ in range(2)]
    for replica in replicas:  # a lock of this test's own: the suite's app took the real one at start-up
        replica.LOCK = f"notify:reminders:test:{uuid.uuid4().hex}"
    replicas[1].LOCK = replicas[0].LOCK
    try:
        for replica in replicas:
            await replica.start()
        for _ in range(200):
            if len(_finished(caplog)) >= len(JOBS):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # time for the other replica to run them too, if it wrongly could
    finally:
        for replica in replicas:
            await replica.stop()
        await redis.aclose()

    assert sorted(_finished(caplog)) == sorted(JOBS)  # each once, by one replica
