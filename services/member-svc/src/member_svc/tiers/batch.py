"""The batch re-evaluation job: one transaction per chunk (evaluation + checkpoint), resumable.

Started over HTTP (``POST /api/v1/tier-rules/evaluations``), which runs it as a background task of the
web process, or by the benchmark. A run that stopped half-way continues from its checkpoint with
``POST /api/v1/tier-rules/evaluations/{id}/resume``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from member_svc.tiers import service


async def run_to_completion(
    session_factory: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Evaluate chunk after chunk until the run is done; ``progress(processed, total)`` after each."""
    while True:
        async with session_factory() as session, session.begin():
            run = await service.run_chunk(session, run_id, datetime.now(UTC))
        if run is None:
            return
        if progress is not None:
            progress(run.processed, run.total)
