from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.member_projection.models import MemberTier
from privilege_svc.rewards.models import GIVEN_BACK, Redemption, Reward


async def add_reward(session: AsyncSession, reward: Reward) -> None:
    session.add(reward)
    await session.flush()


async def reward_and_tier(
    session: AsyncSession, reward_id: uuid.UUID, member_id: str
) -> tuple[Reward | None, str | None]:
    """The reward and the tier privilege-svc holds for the member, in one query (the redeeming path)."""
    tier = select(MemberTier.tier).where(MemberTier.member_id == member_id).scalar_subquery()
    statement = select(Reward, tier).where(Reward.id == reward_id).execution_options(populate_existing=True)
    row = (await session.execute(statement)).first()
    return (None, None) if row is None else (row[0], row[1])


async def get_reward(session: AsyncSession, reward_id: uuid.UUID) -> Reward | None:
    statement = select(Reward).where(Reward.id == reward_id).execution_options(populate_existing=True)
    return await session.scalar(statement)


async def list_rewards(
    session: AsyncSession,
    *,
    visible_at: datetime | None,
    tier: str | None,
    flash_sale: bool | None,
    cursor: str | None,
    limit: int,
) -> Slice[Reward]:
    statement = select(Reward)
    if visible_at is not None:
        statement = statement.where(
            or_(Reward.visible_from.is_(None), Reward.visible_from <= visible_at),
            or_(Reward.visible_until.is_(None), Reward.visible_until > visible_at),
        )
    if tier is not None:
        statement = statement.where(Reward.tier_prices.has_key(tier))
    if flash_sale is not None:
        statement = statement.where(Reward.flash_sale.is_(flash_sale))
    return await paginate(
        session, statement, cursor, limit, by=(Reward.created_at, Reward.id), descending=True
    )


_TAKE_ONE_AND_RECORD = text(
    """
    WITH unit AS (
        UPDATE rewards SET stock = stock - 1 WHERE id = :reward_id AND stock > 0 RETURNING id
    )
    INSERT INTO redemptions (id, reward_id, member_id, tier, points, debit_entry_id, status, delivery_address,
                             idempotency_key, request_fingerprint, created_at, updated_at, cash_fen,
                             payment_due_at)
    SELECT :id, unit.id, :member_id, :tier, :points, :debit_entry_id, :status, :delivery_address,
           :idempotency_key, :request_fingerprint, :created_at, :updated_at, :cash_fen, :payment_due_at
    FROM unit
    RETURNING id
    """
)


async def take_one_and_record(session: AsyncSession, redemption: dict[str, Any]) -> bool:
    """One statement: take a unit if any is left and write the redemption that took it; False, with
    nothing written, when the stock was gone.

    The row lock the conditional UPDATE takes is held to the end of the transaction: concurrent
    redeemers queue there and re-check ``stock > 0`` once the holder commits, so the stock never goes
    below zero."""
    return (await session.execute(_TAKE_ONE_AND_RECORD, redemption)).first() is not None


async def stock_left(session: AsyncSession, reward_id: uuid.UUID) -> int | None:
    """The committed stock, read without a lock."""
    return await session.scalar(select(Reward.stock).where(Reward.id == reward_id))


async def put_back(session: AsyncSession, reward_id: uuid.UUID) -> None:
    await session.execute(update(Reward).where(Reward.id == reward_id).values(stock=Reward.stock + 1))


async def lock_idempotency_key(session: AsyncSession, member_id: str, key: str) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:scope), hashtext(:key))"),
        {"scope": "redemptions", "key": f"{member_id}:{key}"},
    )


async def by_idempotency_key(session: AsyncSession, member_id: str, key: str) -> Redemption | None:
    statement = select(Redemption).where(Redemption.member_id == member_id, Redemption.idempotency_key == key)
    return await session.scalar(statement)


async def count_for_member(session: AsyncSession, reward_id: uuid.UUID, member_id: str) -> int:
    statement = select(func.count()).where(
        Redemption.reward_id == reward_id,
        Redemption.member_id == member_id,
        Redemption.status.not_in(GIVEN_BACK),
    )
    return int(await session.scalar(statement) or 0)


async def get_redemption(
    session: AsyncSession, redemption_id: uuid.UUID, *, for_update: bool = False
) -> Redemption | None:
    statement = select(Redemption).where(Redemption.id == redemption_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def list_redemptions(
    session: AsyncSession,
    member_id: str | None,
    reward_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Redemption]:
    statement = select(Redemption)
    if member_id is not None:
        statement = statement.where(Redemption.member_id == member_id)
    if reward_id is not None:
        statement = statement.where(Redemption.reward_id == reward_id)
    return await paginate(
        session, statement, cursor, limit, by=(Redemption.created_at, Redemption.id), descending=True
    )


async def due_for_expiry(session: AsyncSession, now: datetime, limit: int) -> list[Redemption]:
    """Points + cash redemptions past their payment window, locked (another replica skips them)."""
    statement = (
        select(Redemption)
        .where(Redemption.status == "awaiting_payment", Redemption.payment_due_at <= now)
        .order_by(Redemption.payment_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(statement)).all())
