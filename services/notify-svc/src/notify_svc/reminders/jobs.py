"""The owner's-secretary jobs: each streams its rows in chunks, one transaction per chunk, and is safe to
run twice (every reminder is a fact queued at most once). ``DailyReminders`` runs the daily jobs in
the app as a kit `PeriodicJob` every ``NOTIFY_REMINDER_INTERVAL_SECONDS`` (one replica per interval,
under a Redis lock);
``weather_alert_fanout`` is the kit `PeriodicJob` of the weather fan-out, every
``NOTIFY_ALERT_TICK_SECONDS`` and at once again while a tick reached someone."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from cheyou_kit.periodic import PeriodicJob, after_commit
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.config import Settings
from notify_svc.delivery.service import Planned
from notify_svc.reminders import repository, service
from notify_svc.reminders.inspection import Rule

log = logging.getLogger(__name__)

Job = Literal["renewal", "inspection", "violations"]
JOBS: tuple[Job, ...] = ("renewal", "inspection", "violations")


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


class ReminderRun:
    """One job for one day, chunk by chunk: each chunk in the caller's transaction, the run moving on
    only once that transaction has committed (a chunk rolled back is done again)."""

    def __init__(self, job: Job, settings: Settings, today: date, now: datetime) -> None:
        self.job, self.today, self.now = job, today, now
        self.result = JobResult(job, today)
        self.done = False
        self._settings = settings
        self._cursor: Any = None
        self._rules: dict[str, list[Rule]] | None = None

    async def chunk(self, session: AsyncSession) -> Callable[[], None]:
        """Queue the next chunk's reminders; returns what moves the run on, to call after the commit."""
        settings, today, now = self._settings, self.today, self.now
        cursor: Any
        if self.job == "renewal":
            cursor, seen, planned = await service.renewal_chunk(session, settings, today, self._cursor, now)
        elif self.job == "inspection":
            if self._rules is None:
                self._rules = await service.inspection_rules(session)
            cursor, seen, planned = await service.inspection_chunk(
                session, settings, today, self._rules, self._cursor, now
            )
        else:
            cursor, seen, planned = await service.violation_chunk(session, settings, self._cursor, now)

        def advance() -> None:
            self._cursor = cursor
            self.result.add(seen, planned)
            self.done = cursor is None
            if self.done:
                log.info("reminder job done", extra=self.result.as_dict())

        return advance


async def run(
    sessions: async_sessionmaker[AsyncSession], job: Job, settings: Settings, on: date | None = None
) -> JobResult:
    """Run one job to the end, chunk by chunk, for the day ``on`` (default: today, local time).

    ``on`` is the day the reminders are reckoned from (a missed day can be run later); messages are
    queued now.
    """
    now = datetime.now(UTC)
    reminders = ReminderRun(job, settings, on or service.local_today(now, settings.timezone), now)
    while not reminders.done:
        async with sessions() as session, session.begin():
            advance = await reminders.chunk(session)
        advance()
    return reminders.result


def weather_alert_fanout(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> PeriodicJob:
    """The weather fan-out: one chunk of each alert still expanding per transaction, again at once while
    one reached someone (``batch_size=1``), then wait a tick."""

    async def expand_alerts(session: AsyncSession, now: datetime) -> int:
        reached = 0
        for alert in await repository.expanding_alerts(session, 10):
            reached += await service.advance_alert(session, settings, alert, now)
        return reached

    return PeriodicJob(
        "notify-weather-alerts",
        expand_alerts,
        sessions=sessions,
        interval_s=settings.alert_tick_seconds,
        batch_size=1,
    )


class DailyReminders:
    """The app component: the daily jobs as the kit job ``notify-reminders``, a round every
    ``NOTIFY_REMINDER_INTERVAL_SECONDS``. A round runs the jobs one chunk per transaction (woken again at
    once after each committed chunk until the last); a Redis lock taken when a round starts them, held
    for the interval (at least a minute), lets one replica run them per interval. A chunk that fails
    is done again by the next round."""

    LOCK = "notify:reminders:daily"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis,
        settings: Settings,
        interval_seconds: float,
    ) -> None:
        self._redis, self._settings, self._interval = redis, settings, interval_seconds
        self._runs: list[ReminderRun] = []
        self.job = PeriodicJob(
            "notify-reminders", self._chunk, sessions=sessions, interval_s=interval_seconds
        )

    async def start(self) -> None:
        await self.job.start()

    async def stop(self) -> None:
        await self.job.stop()

    async def _chunk(self, session: AsyncSession, now: datetime) -> int:
        if not self._runs:
            lock = self._redis.lock(self.LOCK, timeout=max(60.0, self._interval), blocking=False)
            if not await lock.acquire():
                return 0  # another replica ran them within the interval
            today = service.local_today(now, self._settings.timezone)
            self._runs = [ReminderRun(job, self._settings, today, now) for job in JOBS]
        reminders = self._runs[0]
        advance = await reminders.chunk(session)

        async def move_on() -> None:
            advance()
            if reminders.done:
                self._runs.pop(0)
            if self._runs:
                self.job.wake()

        after_commit(session, move_on)
        return reminders.result.considered
