"""The scheduled points job: expire what is due and remind members of points about to expire.

Runs beside the HTTP server in every replica; a transaction-scoped advisory lock lets one replica do a
round at a time. Each round handles a bounded chunk, so a large backlog is worked off over rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from cheyou_kit.app import Resources
from sqlalchemy import text

from privilege_svc.points import service

log = logging.getLogger(__name__)

LOCK = 0x63790101


class PointsMaintenance:
    def __init__(self, resources: Resources, interval_s: float, reminder_days: int) -> None:
        self._sessions = resources.session_factory
        self._interval = interval_s
        self._reminder_days = reminder_days
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> tuple[int, int]:
        """One round: (members whose points expired, reminders sent); (0, 0) when another replica runs."""
        async with self._sessions() as session, session.begin():
            locked = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK})
            if not locked:
                return 0, 0
            expired = await service.expire_due(session)
            reminded = await service.remind_expiring(session, days=self._reminder_days)
        return expired, reminded

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                expired, reminded = await self.run_once()
                if expired or reminded:
                    log.info("points job: %d members' points expired, %d reminders", expired, reminded)
            except Exception:
                log.exception("points job round failed; the next round retries")

    async def start(self) -> None:
        if self._interval > 0:
            self._task = asyncio.create_task(self._loop(), name="points maintenance")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
