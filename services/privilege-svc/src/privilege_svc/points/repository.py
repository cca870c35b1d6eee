from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.points.models import EarningRule, PointsAccount, PointsAllocation, PointsEntry, PointsLot

_LOCK_ACCOUNT = text("SELECT 1 FROM points_accounts WHERE member_id = :member_id FOR UPDATE")


async def lock_account(session: AsyncSession, member_id: str) -> None:
    """Lock the member's account until the transaction ends, creating it if missing."""
    if (await session.execute(_LOCK_ACCOUNT, {"member_id": member_id})).first() is not None:
        return
    await session.execute(
        pg_insert(PointsAccount)
        .values(member_id=member_id, balance=0, qualifying_points=0, lifetime_earned=0)
        .on_conflict_do_nothing()
    )
    await session.execute(_LOCK_ACCOUNT, {"member_id": member_id})


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


_SPENDABLE_LOTS = text(
    """
    SELECT id, remaining FROM points_lots
    WHERE member_id = :member_id AND remaining > 0 AND expires_at > :now
    ORDER BY expires_at, earned_at, id
    FOR UPDATE
    """
)


async def spendable_lots(session: AsyncSession, member_id: str, now: datetime) -> list[tuple[uuid.UUID, int]]:
    """(id, remaining) of the unexpired lots with points left, earliest expiry first, locked."""
    rows = await session.execute(_SPENDABLE_LOTS, {"member_id": member_id, "now": now})
    return [(lot_id, remaining) for lot_id, remaining in rows]


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
    """Consume ``points`` from each lot and record the debit → lot links (the expiry job's debits)."""
    for lot_id, points in takes:
        await session.execute(
            update(PointsLot).where(PointsLot.id == lot_id).values(remaining=PointsLot.remaining - points)
        )
    await session.execute(
        insert(PointsAllocation),
        [{"debit_entry_id": debit_id, "lot_id": lot_id, "points": points} for lot_id, points in takes],
    )


_CREDIT = text(
    """
    WITH account AS (
        UPDATE points_accounts
        SET balance = balance + :points, qualifying_points = qualifying_points + :qualifying_points,
            lifetime_earned = lifetime_earned + :points, updated_at = :created_at
        WHERE member_id = :member_id
        RETURNING balance
    ), entry AS (
        INSERT INTO points_entries (id, member_id, direction, points, balance_after, reason, rule_code,
                                    source_key, reference_id, qualifying, actor, note, created_at)
        SELECT :id, :member_id, 'credit', :points, account.balance, :reason, :rule_code,
               :source_key, :reference_id, :qualifying, :actor, :note, :created_at
        FROM account
        RETURNING id
    ), lot AS (
        INSERT INTO points_lots (id, member_id, entry_id, points, remaining, earned_at, expires_at)
        SELECT :lot_id, :member_id, entry.id, :points, :points, :created_at, :expires_at FROM entry
    )
    SELECT balance FROM account
    """
)


async def record_credit(
    session: AsyncSession, entry: dict[str, Any], lot_id: uuid.UUID, expires_at: datetime
) -> int:
    """One statement: the account's balance (and qualifying points) up, the ledger entry, its lot.

    The account must be locked by the caller; returns the new balance."""
    params = {**entry, "lot_id": lot_id, "expires_at": expires_at}
    params["qualifying_points"] = entry["points"] if entry["qualifying"] else 0
    return int((await session.execute(_CREDIT, params)).scalar_one())


_DEBIT = text(
    """
    WITH account AS (
        UPDATE points_accounts SET balance = balance - :points, updated_at = :created_at
        WHERE member_id = :member_id
        RETURNING balance
    ), entry AS (
        INSERT INTO points_entries (id, member_id, direction, points, balance_after, reason,
                                    source_key, reference_id, qualifying, actor, note, created_at)
        SELECT :id, :member_id, 'debit', :points, account.balance, :reason,
               :source_key, :reference_id, false, :actor, :note, :created_at
        FROM account
        RETURNING id
    ), taken AS (
        SELECT * FROM unnest(CAST(:lot_ids AS uuid[]), CAST(:lot_points AS integer[])) AS t(lot_id, points)
    ), lots AS (
        UPDATE points_lots SET remaining = points_lots.remaining - taken.points
        FROM taken WHERE points_lots.id = taken.lot_id
    ), links AS (
        INSERT INTO points_allocations (debit_entry_id, lot_id, points)
        SELECT entry.id, taken.lot_id, taken.points FROM entry, taken
    )
    SELECT balance FROM account
    """
)


async def record_debit(
    session: AsyncSession, entry: dict[str, Any], takes: list[tuple[uuid.UUID, int]]
) -> int:
    """One statement: the account's balance down, the ledger entry, each lot's ``remaining`` down and the
    debit → lot links. The account and the lots must be locked by the caller; returns the new balance
    (the ``balance >= 0`` and ``remaining >= 0`` CHECKs refuse anything that would go below zero)."""
    params = {**entry, "lot_ids": [lot for lot, _ in takes], "lot_points": [points for _, points in takes]}
    return int((await session.execute(_DEBIT, params)).scalar_one())


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
    session: AsyncSession, member_id: str, cursor: str | None, limit: int
) -> Slice[PointsEntry]:
    statement = select(PointsEntry).where(PointsEntry.member_id == member_id)
    return await paginate(
        session, statement, cursor, limit, by=(PointsEntry.created_at, PointsEntry.id), descending=True
    )


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
