from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.liability.models import LiabilityAssessment, LiabilityScenario


async def scenarios(session: AsyncSession, *, after: int | None, limit: int) -> Sequence[LiabilityScenario]:
    statement = select(LiabilityScenario)
    if after is not None:
        statement = statement.where(LiabilityScenario.sort_order > after)
    result = await session.scalars(statement.order_by(LiabilityScenario.sort_order).limit(limit))
    return result.all()


async def scenarios_by_code(session: AsyncSession, codes: Sequence[str]) -> dict[str, LiabilityScenario]:
    result = await session.scalars(select(LiabilityScenario).where(LiabilityScenario.code.in_(codes)))
    return {s.code: s for s in result.all()}


async def assessment(session: AsyncSession, claim_id: uuid.UUID) -> LiabilityAssessment | None:
    return await session.get(LiabilityAssessment, claim_id)


def add(session: AsyncSession, assessment: LiabilityAssessment) -> None:
    session.add(assessment)
