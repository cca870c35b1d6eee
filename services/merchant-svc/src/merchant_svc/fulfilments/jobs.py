"""The accept-deadline job: orders a merchant did not accept within its contract's window go to the next.

A kit `PeriodicJob` beside the webhook delivery worker in every replica, every
``MERCHANT_ACCEPT_DEADLINE_POLL_INTERVAL_S``. Each batch takes up to ``MERCHANT_ACCEPT_DEADLINE_BATCH``
overdue orders with ``FOR UPDATE SKIP LOCKED`` in one transaction, and a full batch is followed by the
next at once: replicas share the work, a batch that crashes rolls back whole (and the next round does it
again), and nothing is kept outside Postgres.
"""

from __future__ import annotations

from datetime import datetime

from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from merchant_svc.config import Settings
from merchant_svc.fulfilments import service


def accept_deadlines(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> PeriodicJob:
    async def expire_overdue(session: AsyncSession, _now: datetime) -> int:
        return await service.expire_overdue(session, settings.accept_deadline_batch)

    return PeriodicJob(
        "merchant-accept-deadlines",
        expire_overdue,
        sessions=sessions,
        interval_s=settings.accept_deadline_poll_interval_s,
        batch_size=settings.accept_deadline_batch,
    )
