"""The scheduled points job: expire what is due and remind members of points about to expire.

A kit `PeriodicJob` beside the HTTP server in every replica: its advisory lock lets one replica do a
round at a time. Each round handles a bounded chunk (one transaction), so a large backlog is worked
off over rounds. The first round waits one interval after start-up.
"""

from __future__ import annotations

import logging
from datetime import datetime

from cheyou_kit.app import Resources
from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.points import service

log = logging.getLogger(__name__)


def points_maintenance(resources: Resources, interval_s: float, reminder_days: int) -> PeriodicJob:
    """The job; ``interval_s <= 0`` disables it (ops can still run it: ``POST /points/maintenance-runs``)."""

    async def expire_and_remind(session: AsyncSession, _now: datetime) -> int:
        expired = await service.expire_due(session)
        reminded = await service.remind_expiring(session, days=reminder_days)
        if expired or reminded:
            log.info("points job: %d members' points expired, %d reminders", expired, reminded)
        return expired + reminded

    return PeriodicJob(
        "points-maintenance",
        expire_and_remind,
        sessions=resources.session_factory,
        interval_s=interval_s,
        single_replica=True,
        run_at_start=False,
    )
