"""Beside the HTTP server: every ``CLAIMS_LIABILITY_SWEEP_SECONDS``, splits past their deadline go on site.

A kit `PeriodicJob`: each batch of 100 is one transaction (this is an entry point, like a route or a
Kafka handler, so it commits) and a full batch is followed by the next at once; rows are locked with
``SKIP LOCKED``, so replicas share the work and never escalate a claim twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from claims_svc.config import Settings
from claims_svc.liability import service

log = logging.getLogger(__name__)

BATCH = 100


def overdue_liability_sweep(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> PeriodicJob:
    async def escalate(session: AsyncSession, now: datetime) -> int:
        escalated = await service.escalate_overdue(session, settings=settings, now=now, limit=BATCH)
        if escalated:
            log.info("liability: %d unconfirmed splits sent on site", escalated)
        return escalated

    return PeriodicJob(
        "liability-sweep",
        escalate,
        sessions=sessions,
        interval_s=settings.liability_sweep_seconds,
        batch_size=BATCH,
    )
