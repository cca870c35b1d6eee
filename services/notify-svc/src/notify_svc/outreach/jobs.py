"""The reminder job of the outreach: a ``PeriodicJob`` whose batch queues the reminders due."""

from __future__ import annotations

from datetime import datetime

from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.config import Settings
from notify_svc.outreach import service


def invitation_reminders(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> PeriodicJob:
    async def batch(session: AsyncSession, now: datetime) -> int:
        return await service.send_due_reminders(session, settings, now, settings.reminder_chunk)

    # Rows are locked with SKIP LOCKED: replicas share the work.
    return PeriodicJob(
        "notify-invitation-reminders",
        batch,
        sessions=sessions,
        interval_s=settings.invitation_tick_seconds,
        batch_size=settings.reminder_chunk,
    )
