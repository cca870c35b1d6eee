"""The batch re-evaluation of every member's tier: the kit job ``member-tier-evaluations``.

A run is a row (``POST /api/v1/tier-rules/evaluations`` starts one, ``…/{id}/resume`` wakes it again).
Each batch evaluates the next chunk of the oldest running run and moves its checkpoint in one
transaction, the run's row locked ``SKIP LOCKED`` (replicas share runs, never a chunk), and the next
chunk follows at once. ``NOTIFY tier_evaluation_runs`` from the transaction that starts or resumes a run
wakes the job; a run whose process stopped is picked up by the next poll
(``MEMBER_TIER_EVALUATION_POLL_SECONDS``).
"""

from __future__ import annotations

from datetime import datetime

from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from member_svc.tiers import service


def tier_evaluations(
    sessions: async_sessionmaker[AsyncSession], interval_s: float, listen_dsn: str | None = None
) -> PeriodicJob:
    """The job; ``listen_dsn``: the database itself (not a pooler), to be woken by a started run."""

    async def evaluate(session: AsyncSession, now: datetime) -> int:
        return 1 if await service.evaluate_next_chunk(session, now) else 0

    return PeriodicJob(
        "member-tier-evaluations",
        evaluate,
        sessions=sessions,
        interval_s=interval_s,
        batch_size=1,
        listen=None if listen_dsn is None else (service.RUNS_CHANNEL, listen_dsn),
    )
