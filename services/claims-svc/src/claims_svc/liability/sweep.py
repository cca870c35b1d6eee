"""Beside the HTTP server: every ``CLAIMS_LIABILITY_SWEEP_SECONDS``, splits past their deadline go on site.

Each round is one transaction (this is an entry point, like a route or a Kafka handler, so it commits);
rows are locked with ``SKIP LOCKED``, so replicas share the work and never escalate a claim twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claims_svc.config import Settings
from claims_svc.liability import service

log = logging.getLogger(__name__)


class OverdueLiabilitySweep:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._sessions = sessions
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="liability-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self, now: datetime | None = None) -> int:
        escalated = 0
        while True:
            async with self._sessions() as session, session.begin():
                done = await service.escalate_overdue(
                    session, settings=self._settings, now=now or datetime.now(UTC), limit=100
                )
            escalated += done
            if done < 100:
                return escalated

    async def _run(self) -> None:
        while True:
            try:
                escalated = await self.run_once()
                if escalated:
                    log.info("liability: %d unconfirmed splits sent on site", escalated)
            except Exception:  # keep sweeping: the next round retries what this one could not do
                log.exception("liability sweep failed")
            await asyncio.sleep(self._settings.liability_sweep_seconds)
