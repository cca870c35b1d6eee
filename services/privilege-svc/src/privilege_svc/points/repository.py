from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.pagination import Position
from privilege_svc.points.models import EarningRule, PointsAccount, PointsAllocation, PointsEntry, PointsLot


async def lock_account(session: AsyncSession, member_id: str) -> PointsAccount:
    """The member's account, created if missing, locked until the transaction ends."""
    statement = (
        select(PointsAccount)
        .where(PointsAccount.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    account = await session.scalar(statement)
    if account is not None:
        return account
    await session.execute(
        pg_insert(PointsAccount)
        .values(member_id=member_id, balance=0, qualifying_points=0, lifetime_earned=0)
        .on_conflict_do_nothing()
    )
    return (await session.scalars(statement)).one()


async def get_account(session: AsyncSession, member_id: str) -> PointsAccount | None:
    return await session.get(PointsAccount, member_id)


async def change_account(
    session: AsyncSession, member_id: str, *, balance: int, qualifying: int = 0, earned: int = 0, at: datetime
) -> int:
    """Apply deltas; returns the new balance."""
    statement = (
        update(PointsAccount)
        .where(PointsAccount.member_id == member_id)
        .values(
            balance=PointsAccount.balance + balance,
            qualifying_points=PointsAccount.qualifying_points + qualifying,
            lifetime_earned=PointsAccount.lifetime_earned + earned,
            updated_at=at,
        )
        .returning(PointsAccount.balance)
    )
    return int((await session.execute(statement)).scalar_one())


async def entry_by_source(session: AsyncSession, source_key: str) -> PointsEntry | None:
    return await session.scalar(select(PointsEntry).where(PointsEntry.source_key == source_key))


async def get_entry(session: AsyncSession, entry_id: uuid.UUID) -> PointsEntry | None:
    return await session.get(PointsEntry, entry_id)


async def reversal_of(session: AsyncSession, entry_id: uuid.UUID) -> PointsEntry | None:
    return await session.scalar(select(PointsEntry).where(PointsEntry.reverses_id == entry_id))


async def add_entry(session: AsyncSession, entry: PointsEntry, lot: PointsLot | None = None) -> None:
    session.add(entry)
    if lot is not None:
        session.add(lot)
    await session.flush()


async def spendable_lots(session: AsyncSession, member_id: str, now: datetime) -> Sequence[PointsLot]:
    """Unexpired lots with points left, earliest expiry first, locked."""
    statement = (
        select(PointsLot)
        .where(PointsLot.member_id == member_id, PointsLot.remaining > 0, PointsLot.expires_at > now)
        .order_by(PointsLot.expires_at, PointsLot.earned_at, PointsLot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).all()


async def expired_lots(session: AsyncSession, member_id: str, now: datetime) -> Sequence[PointsLot]:
    statement = (
        select(PointsLot)
        .where(PointsLot.member_id == member_id, PointsLot.remaining > 0, PointsLot.expires_at <= now)
        .order_by(PointsLot.expires_at, PointsLot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).all()


async def take_from_lots(
    session: AsyncSession, debit_id: uuid.UUID, takes: list[tuple[uuid.UUID, int]]
) -> None:
    """Consume ``points`` from each lot and record the debit → lot links."""
    for lot_id, points in takes:
        await session.execute(
            update(PointsLot).where(PointsLot.id == lot_id).values(remaining=PointsLot.remaining - points)
        )
    await session.execute(
        insert(PointsAllocation),
        [{"debit_entry_id": debit_id, "lot_id": lot_id, "points": points} for lot_id, points in takes],
    )


async def allocations_of(session: AsyncSession, debit_id: uuid.UUID) -> Sequence[PointsAllocation]:
    statement = select(PointsAllocation).where(PointsAllocation.debit_entry_id == debit_id)
    return (await session.scalars(statement)).all()


async def restore_lots(session: AsyncSession, allocations: Sequence[PointsAllocation]) -> None:
    for allocation in allocations:
        await session.execute(
            update(PointsLot)
            .where(PointsLot.id == allocation.lot_id)
            .values(remaining=PointsLot.remaining + allocation.points)
        )


async def lot_of_entry(session: AsyncSession, entry_id: uuid.UUID) -> PointsLot | None:
    return await session.scalar(select(PointsLot).where(PointsLot.entry_id == entry_id))


async def expiring_groups(
    session: AsyncSession, member_id: str, now: datetime, limit: int
) -> list[tuple[datetime, int]]:
    """Spendable points grouped by expiry instant, soonest first."""
    statement = (
        select(PointsLot.expires_at, func.sum(PointsLot.remaining))
        .where(PointsLot.member_id == member_id, PointsLot.remaining > 0, PointsLot.expires_at > now)
        .group_by(PointsLot.expires_at)
        .order_by(PointsLot.expires_at)
        .limit(limit)
    )
    return [(at, int(points)) for at, points in await session.execute(statement)]


async def spendable_total(session: AsyncSession, member_id: str, now: datetime) -> int:
    statement = select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
        PointsLot.member_id == member_id, PointsLot.remaining > 0, PointsLot.expires_at > now
    )
    return int(await session.scalar(statement) or 0)


async def earned_by_rule_since(session: AsyncSession, member_id: str, rule_code: str, since: datetime) -> int:
    statement = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.member_id == member_id,
        PointsEntry.rule_code == rule_code,
        PointsEntry.direction == "credit",
        PointsEntry.created_at >= since,
    )
    return int(await session.scalar(statement) or 0)


async def list_entries(
    session: AsyncSession, member_id: str, after: Position | None, limit: int
) -> Sequence[PointsEntry]:
    statement = select(PointsEntry).where(PointsEntry.member_id == member_id)
    if after is not None:
        statement = statement.where(
            tuple_(PointsEntry.created_at, PointsEntry.id) < tuple_(after[0], uuid.UUID(after[1]))
        )
    statement = statement.order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc()).limit(limit + 1)
    return (await session.scalars(statement)).all()


async def members_with_expired_lots(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    statement = (
        select(PointsLot.member_id)
        .where(PointsLot.remaining > 0, PointsLot.expires_at <= now)
        .group_by(PointsLot.member_id)
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def lots_to_remind(
    session: AsyncSession, now: datetime, until: datetime, limit: int
) -> Sequence[PointsLot]:
    statement = (
        select(PointsLot)
        .where(
            PointsLot.remaining > 0,
            PointsLot.expires_at > now,
            PointsLot.expires_at <= until,
            PointsLot.reminded_at.is_(None),
        )
        .order_by(PointsLot.member_id, PointsLot.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def mark_reminded(session: AsyncSession, lot_ids: list[uuid.UUID], at: datetime) -> None:
    await session.execute(update(PointsLot).where(PointsLot.id.in_(lot_ids)).values(reminded_at=at))


async def list_rules(session: AsyncSession) -> Sequence[EarningRule]:
    return (await session.scalars(select(EarningRule).order_by(EarningRule.code))).all()


async def get_rule(session: AsyncSession, code: str, *, for_update: bool = False) -> EarningRule | None:
    statement = select(EarningRule).where(EarningRule.code == code)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))
