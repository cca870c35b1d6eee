from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.orders.models import ServiceOrder
from privilege_svc.rewards.models import GIVEN_BACK, Redemption


async def completed_orders(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[str, str, int]]:
    """(privilege code, tier, completed orders) for orders completed in [since, until)."""
    statement = (
        select(ServiceOrder.privilege_code, ServiceOrder.tier, func.count())
        .where(
            ServiceOrder.status == "completed",
            ServiceOrder.completed_at >= since,
            ServiceOrder.completed_at < until,
        )
        .group_by(ServiceOrder.privilege_code, ServiceOrder.tier)
    )
    return [(code, tier, int(n)) for code, tier, n in await session.execute(statement)]


async def redemptions(session: AsyncSession, since: datetime, until: datetime) -> int:
    statement = select(func.count()).where(
        Redemption.created_at >= since, Redemption.created_at < until, Redemption.status.not_in(GIVEN_BACK)
    )
    return int(await session.scalar(statement) or 0)
