"""The accept-deadline job: orders a merchant did not accept within its contract's window go to the next.

It runs beside the webhook delivery worker in every replica. Each pass takes a batch of overdue orders
with ``FOR UPDATE SKIP LOCKED`` in one transaction, so replicas share the work, a pass that crashes
rolls back whole (and the next pass does it again), and nothing is kept outside Postgres.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from merchant_svc.config import Settings
from merchant_svc.fulfilments import service

log = logging.getLogger(__name__)


class AcceptDeadlineWorker:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._sessions = sessions
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="accept deadline worker")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def run_once(self) -> int:
        """One pass: every overdue order handled, a batch per transaction; how many it handled."""
        batch = self._settings.accept_deadline_batch
        handled = 0
        while not self._stop.is_set():
            async with self._sessions() as session, session.begin():
                done = await service.expire_overdue(session, batch)
            handled += done
            if done < batch:
                break
        return handled

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("accept deadline pass failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stop.wait(), timeout=self._settings.accept_deadline_poll_interval_s
                )
