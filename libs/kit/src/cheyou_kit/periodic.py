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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

Batch = Callable[[AsyncSession, datetime], Awaitable[int]]

JOB_RUNS = Counter("cheyou_job_runs", "Rounds a periodic job started", ["job"])
JOB_FAILURES = Counter("cheyou_job_failures", "Rounds of a periodic job that ended in an error", ["job"])
JOB_ITEMS = Counter("cheyou_job_items", "Items the batches of a periodic job handled", ["job"])
JOB_DURATION = Histogram("cheyou_job_duration_seconds", "How long one round of a periodic job took", ["job"])

# The first key of every job's advisory lock (the second is the hash of the job's name), so a job's lock
# never meets the locks a service takes on its own rows.
LOCK_NAMESPACE = "cheyou.periodic-job"


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
    ) -> None:
        self.name = name
        self._batch = batch
        self._sessions = sessions
        self._interval = interval_s
        self._batch_size = batch_size
        self._single_replica = single_replica
        self._run_at_start = run_at_start
        self._stop_timeout = stop_timeout_s
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._interval <= 0:
            log.info("periodic job %s is disabled (interval %s s)", self.name, self._interval)
            return
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name=f"job {self.name}")

    async def stop(self) -> None:
        """Let the batch in progress finish and commit; start no other. Cancel it after `stop_timeout_s`."""
        self._stopping.set()
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
        async with self._sessions() as session, session.begin():
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
            return await self._batch(session, now)

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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), max(0.0, next_at - loop.time()))
            if self._stopping.is_set():
                return
            next_at = loop.time() + self._interval
            await self._round()
