from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.entitlements.models import QuotaUsage


async def lock_usage(session: AsyncSession, member_id: str, code: str, period_start: date) -> QuotaUsage:
    """The usage row of this period, created if missing, locked until the transaction ends."""
    await session.execute(
        insert(QuotaUsage)
        .values(member_id=member_id, privilege_code=code, period_start=period_start, reserved=0, used=0)
        .on_conflict_do_nothing()
    )
    statement = (
        select(QuotaUsage)
        .where(
            QuotaUsage.member_id == member_id,
            QuotaUsage.privilege_code == code,
            QuotaUsage.period_start == period_start,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one()


async def change_usage(
    session: AsyncSession, member_id: str, code: str, period_start: date, *, reserved: int, used: int
) -> None:
    await session.execute(
        update(QuotaUsage)
        .where(
            QuotaUsage.member_id == member_id,
            QuotaUsage.privilege_code == code,
            QuotaUsage.period_start == period_start,
        )
        .values(reserved=QuotaUsage.reserved + reserved, used=QuotaUsage.used + used)
    )


async def usage_in_periods(session: AsyncSession, member_id: str, periods: dict[str, date]) -> dict[str, int]:
    """reserved + used per privilege code, each in the period given for it."""
    if not periods:
        return {}
    rows = await session.execute(
        select(
            QuotaUsage.privilege_code, QuotaUsage.period_start, QuotaUsage.reserved + QuotaUsage.used
        ).where(QuotaUsage.member_id == member_id, QuotaUsage.privilege_code.in_(list(periods)))
    )
    return {code: count for code, start, count in rows if periods[code] == start}
