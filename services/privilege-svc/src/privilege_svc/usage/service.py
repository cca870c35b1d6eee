from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.privileges import service as privileges
from privilege_svc.usage import repository
from privilege_svc.usage.schemas import PrivilegeUsage, TierUsage, UsageRead

TIER_ORDER = ("prospective", "ordinary", "three_star", "four_star", "five_star")


async def usage(session: AsyncSession, since: datetime, until: datetime) -> UsageRead:
    counts = await repository.completed_orders(session, since, until)
    by_code: dict[str, dict[str, int]] = {}
    for code, tier, n in counts:
        by_code.setdefault(code, {})[tier] = n
    rows = [
        PrivilegeUsage(
            privilege_code=p.code,
            name=p.name,
            completed=sum(by_code[p.code].values()),
            by_tier=[
                TierUsage(tier=t, completed=by_code[p.code][t]) for t in TIER_ORDER if t in by_code[p.code]
            ],
        )
        for p, _ in await privileges.list_privileges(session)
        if p.code in by_code
    ]
    return UsageRead(
        since=since,
        until=until,
        privileges=rows,
        orders_completed=sum(n for _, _, n in counts),
        points_redemptions=await repository.redemptions(session, since, until),
    )
