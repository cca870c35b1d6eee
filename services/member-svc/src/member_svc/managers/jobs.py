"""The periodic job that generates managers' work (a ``PeriodicJob`` batch: one transaction)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.managers import service

log = logging.getLogger(__name__)


async def generate_tasks(session: AsyncSession, now: datetime) -> int:
    added = await service.generate_tasks(session, now)
    if any(added.values()):
        log.info("managers' tasks generated", extra={"added": added})
    return sum(added.values())
