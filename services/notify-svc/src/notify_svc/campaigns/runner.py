"""Advances running campaigns at their throttle: every tick, ``throttle × tick`` members per campaign,
one transaction per tick (messages + cursor together), so a crash or a second replica never queues a
member twice and a restart resumes where it stopped. Runs as a kit `PeriodicJob` every tick."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.campaigns import repository, service
from notify_svc.config import Settings

log = logging.getLogger(__name__)


class CampaignRunner:
    def __init__(self, settings: Settings) -> None:
        self._settings, self._tick = settings, settings.campaign_tick_seconds
        self._credit: dict[uuid.UUID, float] = {}  # fractional members carried over between ticks

    async def tick(self, session: AsyncSession, now: datetime) -> int:
        """One tick: one chunk of each due campaign. Returns how many members were queued."""
        queued = 0
        for campaign in await repository.due(session, now):
            credit = self._credit.get(campaign.id, 0.0) + campaign.throttle_per_second * self._tick
            chunk = int(credit)
            self._credit[campaign.id] = credit - chunk
            if chunk == 0:
                continue
            queued += await service.advance(session, self._settings, campaign, chunk, now)
            log.info(
                "campaign advanced",
                extra={"campaign_id": str(campaign.id), "status": campaign.status, "cursor": campaign.cursor},
            )
        return queued


def campaign_runner(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> PeriodicJob:
    return PeriodicJob(
        "notify-campaigns",
        CampaignRunner(settings).tick,
        sessions=sessions,
        interval_s=settings.campaign_tick_seconds,
    )
