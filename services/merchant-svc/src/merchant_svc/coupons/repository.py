from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.coupons.models import Coupon, CouponBatch, CouponStatus, GamePrizeAward, MallRedemption


async def add(session: AsyncSession, *rows: Coupon | CouponBatch) -> None:
    session.add_all(rows)
    await session.flush()


async def get_batch(
    session: AsyncSession, batch_id: uuid.UUID, *, for_update: bool = False
) -> CouponBatch | None:
    return await session.get(CouponBatch, batch_id, with_for_update=for_update, populate_existing=for_update)


async def batches_of(session: AsyncSession, merchant_id: uuid.UUID | None) -> list[CouponBatch]:
    query = select(CouponBatch).order_by(CouponBatch.created_at)
    if merchant_id is not None:
        query = query.where(CouponBatch.merchant_id == merchant_id)
    return list((await session.execute(query)).scalars())


async def held_counts(session: AsyncSession, batch_id: uuid.UUID, member_ids: list[str]) -> dict[str, int]:
    query = (
        select(Coupon.member_id, func.count())
        .where(Coupon.batch_id == batch_id, Coupon.member_id.in_(member_ids))
        .group_by(Coupon.member_id)
    )
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def of_member(
    session: AsyncSession, member_id: str, *, cursor: str | None, limit: int
) -> Slice[tuple[Coupon, CouponBatch]]:
    """A page of the member's coupons, oldest first, each with its batch (what it is worth)."""
    coupons = await paginate(
        session,
        select(Coupon).where(Coupon.member_id == member_id),
        cursor,
        limit,
        by=(Coupon.issued_at, Coupon.id),
    )
    wanted = {c.batch_id for c in coupons.rows}
    batches = {b.id: b for b in await session.scalars(select(CouponBatch).where(CouponBatch.id.in_(wanted)))}
    return Slice(rows=[(c, batches[c.batch_id]) for c in coupons.rows], next_cursor=coupons.next_cursor)


async def get(session: AsyncSession, coupon_id: uuid.UUID) -> Coupon | None:
    return await session.get(Coupon, coupon_id)


async def by_code(session: AsyncSession, code: str) -> tuple[Coupon, CouponBatch] | None:
    query = (
        select(Coupon, CouponBatch)
        .join(CouponBatch, CouponBatch.id == Coupon.batch_id)
        .where(Coupon.code == code)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def redeem(session: AsyncSession, code: str, merchant_id: uuid.UUID, now: datetime) -> Coupon | None:
    """Issued → redeemed in one statement: of two concurrent redemptions exactly one matches."""
    valid = select(CouponBatch.id).where(
        CouponBatch.id == Coupon.batch_id, CouponBatch.valid_from <= now, CouponBatch.valid_until > now
    )
    result = await session.execute(
        update(Coupon)
        .where(
            Coupon.code == code,
            Coupon.merchant_id == merchant_id,
            Coupon.status == CouponStatus.ISSUED,
            valid.exists(),
        )
        .values(status=CouponStatus.REDEEMED, redeemed_at=now)
        .returning(Coupon)
    )
    return result.scalar_one_or_none()


async def reconciliation(
    session: AsyncSession, merchant_id: uuid.UUID, since: datetime, until: datetime
) -> list[tuple[CouponBatch, int, int]]:
    """Per batch of the merchant: coupons issued and redeemed within [since, until)."""
    issued = func.count().filter(Coupon.issued_at >= since, Coupon.issued_at < until)
    redeemed = func.count().filter(Coupon.redeemed_at >= since, Coupon.redeemed_at < until)
    query = (
        select(CouponBatch, issued, redeemed)
        .join(Coupon, Coupon.batch_id == CouponBatch.id)
        .where(CouponBatch.merchant_id == merchant_id)
        .group_by(CouponBatch.id)
        .having(or_(issued > 0, redeemed > 0))
        .order_by(CouponBatch.created_at)
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def bump_issued(session: AsyncSession, batch_id: uuid.UUID, count: int) -> None:
    await session.execute(
        update(CouponBatch)
        .where(CouponBatch.id == batch_id)
        .values(issued_count=CouponBatch.issued_count + count)
    )


async def claim_mall_redemption(session: AsyncSession, redemption: MallRedemption) -> bool:
    """Record the redemption unless it was handled already; True when this call is the first."""
    result = await session.execute(
        insert(MallRedemption)
        .values(
            redemption_id=redemption.redemption_id,
            member_id=redemption.member_id,
            batch_id=redemption.batch_id,
            redeemed_at=redemption.redeemed_at,
        )
        .on_conflict_do_nothing()
        .returning(MallRedemption.redemption_id)
    )
    return result.first() is not None


async def settle_mall_redemption(
    session: AsyncSession, redemption_id: str, *, coupon_id: uuid.UUID | None, refused: str | None
) -> None:
    await session.execute(
        update(MallRedemption)
        .where(MallRedemption.redemption_id == redemption_id)
        .values(coupon_id=coupon_id, refused=refused)
    )


async def claim_game_award(session: AsyncSession, award: GamePrizeAward) -> bool:
    """Record the game prize unless it was handled already; True when this call is the first."""
    result = await session.execute(
        insert(GamePrizeAward)
        .values(
            play_id=award.play_id,
            game_id=award.game_id,
            member_id=award.member_id,
            batch_id=award.batch_id,
            won_at=award.won_at,
        )
        .on_conflict_do_nothing()
        .returning(GamePrizeAward.play_id)
    )
    return result.first() is not None


async def settle_game_award(
    session: AsyncSession, play_id: str, *, coupon_id: uuid.UUID | None, refused: str | None
) -> None:
    await session.execute(
        update(GamePrizeAward)
        .where(GamePrizeAward.play_id == play_id)
        .values(coupon_id=coupon_id, refused=refused)
    )


async def mall_redemptions(
    session: AsyncSession, *, refused_only: bool, cursor: str | None, limit: int
) -> Slice[MallRedemption]:
    query = select(MallRedemption)
    if refused_only:
        query = query.where(MallRedemption.refused.is_not(None))
    by = (MallRedemption.handled_at, MallRedemption.redemption_id)
    return await paginate(session, query, cursor, limit, by=by)
