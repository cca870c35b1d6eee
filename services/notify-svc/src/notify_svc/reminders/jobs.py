"""The owner's-secretary jobs: each streams its rows in chunks, one transaction per chunk, and is safe to
run twice (every reminder is a fact queued at most once). ``ReminderScheduler`` runs the daily jobs in
the app every ``NOTIFY_REMINDER_INTERVAL_SECONDS`` (one replica at a time, under a Redis lock);
``weather_alert_fanout`` is the kit `PeriodicJob` of the weather fan-out, every
``NOTIFY_ALERT_TICK_SECONDS`` and at once again while a tick reached someone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from cheyou_kit.periodic import PeriodicJob
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.delivery.service import Planned
from notify_svc.reminders import repository, service

log = logging.getLogger(__name__)

Job = Literal["renewal", "inspection", "violations"]
JOBS: tuple[Job, ...] = ("renewal", "inspection", "violations")


@dataclass(frozen=True)
class ReminderSettings:
    renewal_days: Sequence[int] = (30, 7, 1)
    inspection_days: Sequence[int] = (30, 7)
    violation_sweep_days: int = 30
    chunk: int = 1000


@dataclass
class JobResult:
    job: str
    on: date
    chunks: int = 0
    considered: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    inbox_items: int = 0
    messages: int = 0

    def add(self, considered: int, planned: Planned) -> None:
        self.chunks += 1
        self.considered += considered
        self.outcomes.update(planned.outcomes)
        self.inbox_items += planned.inbox_items
        self.messages += planned.messages

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "on": self.on.isoformat(),
            "chunks": self.chunks,
            "considered": self.considered,
            "outcomes": dict(self.outcomes),
            "inbox_items": self.inbox_items,
            "messages": self.messages,
        }


async def run(
    sessions: async_sessionmaker[AsyncSession], job: Job, settings: ReminderSettings, on: date | None = None
) -> JobResult:
    """Run one job to the end, chunk by chunk, for the day ``on`` (default: today, local time).

    ``on`` is the day the reminders are reckoned from (a missed day can be run later); messages are
    queued now.
    """
    now = datetime.now(UTC)
    today = on or service.local_today(now)
    result = JobResult(job, today)
    if job == "renewal":
        renewal_at: tuple[date, str] | None = None
        while True:
            async with sessions() as session, session.begin():
                renewal_at, seen, planned = await service.renewal_chunk(
                    session, today, settings.renewal_days, renewal_at, settings.chunk, now
                )
            result.add(seen, planned)
            if renewal_at is None:
                break
    elif job == "inspection":
        async with sessions() as session:
            rules = await service.inspection_rules(session)
        vehicle_at: tuple[str, str] | None = None
        while True:
            async with sessions() as session, session.begin():
                vehicle_at, seen, planned = await service.inspection_chunk(
                    session, today, settings.inspection_days, rules, vehicle_at, settings.chunk, now
                )
            result.add(seen, planned)
            if vehicle_at is None:
                break
    else:
        since = now - timedelta(days=settings.violation_sweep_days)
        violation_at: str | None = None
        while True:
            async with sessions() as session, session.begin():
                violation_at, seen, planned = await service.violation_chunk(
                    session, since, violation_at, settings.chunk, now
                )
            result.add(seen, planned)
            if violation_at is None:
                break
    log.info("reminder job done", extra=result.as_dict())
    return result


def weather_alert_fanout(
    sessions: async_sessionmaker[AsyncSession], chunk: int, tick_seconds: float
) -> PeriodicJob:
    """The weather fan-out: one chunk of each alert still expanding per transaction, again at once while
    one reached someone (``batch_size=1``), then wait a tick."""

    async def expand_alerts(session: AsyncSession, now: datetime) -> int:
        reached = 0
        for alert in await repository.expanding_alerts(session, 10):
            reached += await service.advance_alert(session, alert, chunk, now)
        return reached

    return PeriodicJob(
        "notify-weather-alerts", expand_alerts, sessions=sessions, interval_s=tick_seconds, batch_size=1
    )


class ReminderScheduler:
    LOCK = "notify:reminders:daily"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis,
        settings: ReminderSettings,
        interval_seconds: float,
    ) -> None:
        self._sessions, self._redis, self._settings = sessions, redis, settings
        self._interval = interval_seconds
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._daily(), name="notify-reminders")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _daily(self) -> None:
        while True:
            lock = self._redis.lock(self.LOCK, timeout=max(60.0, self._interval), blocking=False)
            try:
                if await lock.acquire():
                    for job in JOBS:
                        await run(self._sessions, job, self._settings)
            except Exception:
                log.exception("reminder jobs failed")
            await asyncio.sleep(self._interval)
