"""Advances running campaigns at their throttle: every tick, ``throttle × tick`` members per campaign,
one transaction per chunk (messages + cursor together), so a crash or a second replica never queues a
member twice and a restart resumes where it stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.campaigns import repository, service

log = logging.getLogger(__name__)


class CampaignRunner:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], tick_seconds: float) -> None:
        self._sessions, self._tick = session_factory, tick_seconds
        self._task: asyncio.Task[None] | None = None
        self._credit: dict[uuid.UUID, float] = {}  # fractional members carried over between ticks

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notify-campaigns")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await self.run_once()
            except Exception:
                log.exception("campaign tick failed")
            elapsed = asyncio.get_running_loop().time() - started
            await asyncio.sleep(max(0.0, self._tick - elapsed))

    async def run_once(self) -> int:
        """One tick: one chunk of each due campaign. Returns how many members were queued."""
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            campaigns = await repository.due(session, now)
            queued = 0
            for campaign in campaigns:
                credit = self._credit.get(campaign.id, 0.0) + campaign.throttle_per_second * self._tick
                chunk = int(credit)
                self._credit[campaign.id] = credit - chunk
                if chunk == 0:
                    continue
                queued += await service.advance(session, campaign, chunk, now)
                log.info(
                    "campaign advanced",
                    extra={
                        "campaign_id": str(campaign.id),
                        "status": campaign.status,
                        "cursor": campaign.cursor,
                    },
                )
        return queued
