"""Background work that runs beside the HTTP server: one `PeriodicJob` per job, a component of the app.

A job is a batch function ``batch(session, now) -> items handled``. Every ``interval_s`` the job runs a
*round*: a batch in its own transaction (committed here: a job is an entry point, like a route or a
Kafka handler), then, while a batch comes back full (``items >= batch_size``), the next one at once.
A batch that fails rolls back alone; the round stops and the next round tries again.

- ``single_replica=True``: each batch's transaction first takes a transaction-scoped Postgres advisory
  lock named after the job; a replica that finds it taken ends its round (another replica is working).
  Without it, replicas share the work through the batch's own row locks (``FOR UPDATE SKIP LOCKED``).
- ``stop()`` is graceful: the batch in progress finishes and commits, no new batch starts.
- Metrics (label ``job``): ``cheyou_job_runs_total``, ``cheyou_job_failures_total``,
  ``cheyou_job_items_total`` and the histogram ``cheyou_job_duration_seconds`` (one round).

    sweep = PeriodicJob("liability-sweep", escalate_batch, sessions=resources.session_factory,
                        interval_s=settings.liability_sweep_seconds, batch_size=100)

Rounds start at a fixed rate: the next one ``interval_s`` after the last one started (at once if a round
took longer). ``interval_s <= 0`` disables the job (``start`` does nothing; ``run_once`` still works).

Sooner than the interval, when there is work to do:

- ``wake(after_s)`` starts the next round now (or within ``after_s``: a batch that knows when its next
  item falls due says so), e.g. when a slot of a worker's concurrency is free again.
- ``listen=(channel, dsn)``: the job ``LISTEN``s on a Postgres channel (its own connection to the database
  itself, not a transaction pooler) and every ``NOTIFY`` on it wakes the job; the interval is the
  fallback poll. A job that cannot ``LISTEN`` logs it and polls.
- ``after_commit(session, callback)``, called by a batch: the job awaits the callback once the batch's
  transaction has committed (work that must not start before its claim is durable: sending what the
  batch leased). A batch that rolls back drops its callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from cheyou_events.relay import asyncpg_dsn
from prometheus_client import Counter, Histogram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

Batch = Callable[[AsyncSession, datetime], Awaitable[int]]
AfterCommit = Callable[[], Awaitable[None]]

JOB_RUNS = Counter("cheyou_job_runs", "Rounds a periodic job started", ["job"])
JOB_FAILURES = Counter("cheyou_job_failures", "Rounds of a periodic job that ended in an error", ["job"])
JOB_ITEMS = Counter("cheyou_job_items", "Items the batches of a periodic job handled", ["job"])
JOB_DURATION = Histogram("cheyou_job_duration_seconds", "How long one round of a periodic job took", ["job"])

# The first key of every job's advisory lock (the second is the hash of the job's name), so a job's lock
# never meets the locks a service takes on its own rows.
LOCK_NAMESPACE = "cheyou.periodic-job"

_AFTER_COMMIT = "cheyou.periodic.after_commit"


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Have the job await ``callback`` once this batch's transaction has committed (in the round)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


class PeriodicJob:
    def __init__(
        self,
        name: str,
        batch: Batch,
        *,
        sessions: async_sessionmaker[AsyncSession],
        interval_s: float,
        batch_size: int | None = None,
        single_replica: bool = False,
        run_at_start: bool = True,
        stop_timeout_s: float = 30.0,
        listen: tuple[str, str] | None = None,
    ) -> None:
        self.name = name
        self._batch = batch
        self._sessions = sessions
        self._interval = interval_s
        self._batch_size = batch_size
        self._single_replica = single_replica
        self._run_at_start = run_at_start
        self._stop_timeout = stop_timeout_s
        self._listen = listen
        self._listener: asyncpg.Connection[Any] | None = None
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._wake_at: float | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._interval <= 0:
            log.info("periodic job %s is disabled (interval %s s)", self.name, self._interval)
            return
        self._stopping.clear()
        if self._listen is not None:
            await self._start_listening(*self._listen)
        self._task = asyncio.create_task(self._loop(), name=f"job {self.name}")

    def wake(self, after_s: float = 0.0) -> None:
        """Start the next round within ``after_s`` seconds instead of at the interval (if that is sooner)."""
        at = asyncio.get_running_loop().time() + max(0.0, after_s)
        self._wake_at = at if self._wake_at is None else min(self._wake_at, at)
        self._woken.set()

    async def _start_listening(self, channel: str, dsn: str) -> None:
        try:
            self._listener = await asyncpg.connect(asyncpg_dsn(dsn))
            await self._listener.add_listener(channel, lambda *_: self.wake())
        except (OSError, asyncpg.PostgresError) as exc:  # the interval still polls
            log.warning("periodic job %s cannot LISTEN on %s, polling only: %s", self.name, channel, exc)
            await self._stop_listening()

    async def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.close()

    async def stop(self) -> None:
        """Let the batch in progress finish and commit; start no other. Cancel it after `stop_timeout_s`."""
        self._stopping.set()
        await self._stop_listening()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), self._stop_timeout)
        except TimeoutError:
            log.warning(
                "periodic job %s did not stop within %s s; cancelling it", self.name, self._stop_timeout
            )
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_once(self, now: datetime | None = None) -> int:
        """One round now: batches until one is not full (or the job is stopping); the items handled.

        `now` (default: the clock at each batch) is what each batch is told the time is. An error
        propagates after the batches before it were committed.
        """
        handled = 0
        while True:
            done = await self._one_batch(now or datetime.now(UTC))
            if done is None:  # another replica holds the job's lock
                return handled
            handled += done
            JOB_ITEMS.labels(self.name).inc(done)
            if self._batch_size is None or done < self._batch_size or self._stopping.is_set():
                return handled

    async def _one_batch(self, now: datetime) -> int | None:
        async with self._sessions() as session:
            async with session.begin():
                if self._single_replica:
                    locked = await session.scalar(
                        select(
                            func.pg_try_advisory_xact_lock(
                                func.hashtext(LOCK_NAMESPACE), func.hashtext(self.name)
                            )
                        )
                    )
                    if not locked:
                        return None
                handled = await self._batch(session, now)
            committed: list[AfterCommit] = session.info.pop(_AFTER_COMMIT, [])
        for callback in committed:  # the connection is back in the pool
            await callback()
        return handled

    async def _round(self) -> None:
        JOB_RUNS.labels(self.name).inc()
        started = time.perf_counter()
        try:
            handled = await self.run_once()
        except Exception:  # the next round tries again; a job never takes the app down
            JOB_FAILURES.labels(self.name).inc()
            log.exception("periodic job %s failed; the next round tries again", self.name)
        else:
            if handled:
                log.info("periodic job %s handled %d", self.name, handled, extra={"job": self.name})
        finally:
            JOB_DURATION.labels(self.name).observe(time.perf_counter() - started)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time() + (0.0 if self._run_at_start else self._interval)
        while not self._stopping.is_set():
            due = next_at if self._wake_at is None else min(next_at, self._wake_at)
            if loop.time() < due:
                self._woken.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken_or_stopping(), due - loop.time())
                continue  # woken, stopping or due: look again
            if self._wake_at is not None and self._wake_at <= loop.time():
                self._wake_at = None
            next_at = loop.time() + self._interval
            await self._round()

    async def _woken_or_stopping(self) -> None:
        woken = asyncio.ensure_future(self._woken.wait())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({woken, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            stopping.cancel()
