"""Coupon batches, issuing to members, redemption exactly once, and reconciliation per merchant."""

from __future__ import annotations

import io
import secrets
import uuid
from datetime import UTC, datetime
from typing import Literal

import qrcode
import qrcode.image.svg
from cheyou_events.catalogue.merchant import CouponIssueRefused, CouponPrizeRefused, CouponRedeemed
from cheyou_events.catalogue.privilege import GamePrizeWon, RewardRedeemed
from cheyou_kit.errors import ProblemError
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.coupons import repository
from merchant_svc.coupons.errors import (
    BatchClosed,
    BatchExhausted,
    BatchNotFound,
    CouponAlreadyRedeemed,
    CouponNotFound,
    CouponNotValidNow,
    MemberLimitReached,
)
from merchant_svc.coupons.models import (
    Coupon,
    CouponBatch,
    CouponKind,
    CouponStatus,
    GamePrizeAward,
    MallRedemption,
)
from merchant_svc.coupons.schemas import BatchCreate, Reconciliation, ReconciliationLine
from merchant_svc.eventing import publish
from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.models import MerchantStatus

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
CODE_LENGTH = 12
MallRefusal = Literal["unknown_batch", "batch_closed", "batch_exhausted", "member_limit"]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create_batch(session: AsyncSession, data: BatchCreate) -> CouponBatch:
    merchant = await merchants.get(session, data.merchant_id)
    if merchant.status != MerchantStatus.ACTIVE:
        raise BatchClosed(f"merchant_id: merchant {merchant.id} is {merchant.status}", field="merchant_id")
    batch = CouponBatch(**data.model_dump(), issued_count=0)
    await repository.add(session, batch)
    await session.refresh(batch)
    return batch


async def get_batch(session: AsyncSession, batch_id: uuid.UUID, *, for_update: bool = False) -> CouponBatch:
    batch = await repository.get_batch(session, batch_id, for_update=for_update)
    if batch is None:
        raise BatchNotFound(f"coupon batch {batch_id} is not known")
    return batch


async def batches_of(session: AsyncSession, merchant_id: uuid.UUID | None) -> list[CouponBatch]:
    return await repository.batches_of(session, merchant_id)


async def issue(
    session: AsyncSession, batch_id: uuid.UUID, member_ids: list[uuid.UUID], source: str
) -> list[Coupon]:
    """One coupon per listed member (a member listed twice gets two); all or nothing.

    The batch row is locked for the issue, so concurrent issues cannot oversell the quantity or a
    member's limit.
    """
    batch = await get_batch(session, batch_id, for_update=True)
    return await _issue_locked(session, batch, [str(m) for m in member_ids], source)


async def _issue_locked(
    session: AsyncSession, batch: CouponBatch, member_ids: list[str], source: str
) -> list[Coupon]:
    now = datetime.now(UTC)
    if batch.valid_until <= now:
        raise BatchClosed(f"coupon batch {batch.id} expired at {batch.valid_until.isoformat()}")
    if batch.issued_count + len(member_ids) > batch.quantity:
        left = batch.quantity - batch.issued_count
        raise BatchExhausted(
            f"member_ids: {len(member_ids)} asked, {left} left", field="member_ids", left=left
        )
    wanted: dict[str, int] = {}
    for member_id in member_ids:
        wanted[member_id] = wanted.get(member_id, 0) + 1
    held = await repository.held_counts(session, batch.id, list(wanted))
    over = sorted(m for m, n in wanted.items() if held.get(m, 0) + n > batch.per_member_limit)
    if over:
        raise MemberLimitReached(
            f"member_ids: {', '.join(over)} would exceed {batch.per_member_limit} per member",
            field="member_ids",
            members=over,
        )
    coupons = [
        Coupon(
            batch_id=batch.id,
            merchant_id=batch.merchant_id,
            member_id=member_id,
            code=new_code(),
            status=CouponStatus.ISSUED,
            source=source,
            issued_at=now,
        )
        for member_id in member_ids
    ]
    await repository.add(session, *coupons)
    await repository.bump_issued(session, batch.id, len(coupons))
    return coupons


MALL_REFUSALS: dict[type[ProblemError], MallRefusal] = {
    BatchClosed: "batch_closed",
    BatchExhausted: "batch_exhausted",
    MemberLimitReached: "member_limit",
}


async def issue_from_mall(session: AsyncSession, event: RewardRedeemed) -> MallRedemption | None:
    """A coupon reward redeemed in the points mall: one coupon of its batch to the member, once per
    redemption. When none can be issued (unknown or expired batch, none left, the member's limit) the
    refusal is recorded and ``merchant.coupon_issue_refused`` tells privilege-svc, which holds the points.
    Other rewards, and coupon rewards naming no batch, are not ours: ``None``.
    """
    if event.kind != "coupon" or event.coupon_batch_id is None:
        return None
    redemption = MallRedemption(
        redemption_id=event.redemption_id,
        member_id=event.member_id,
        batch_id=event.coupon_batch_id,
        redeemed_at=event.redeemed_at,
    )
    if not await repository.claim_mall_redemption(session, redemption):
        return None
    refused: MallRefusal | None = None
    coupon_id: uuid.UUID | None = None
    batch = await _batch_named(session, event.coupon_batch_id)
    if batch is None:
        refused = "unknown_batch"
    else:
        try:  # every refusal is raised before anything is written
            (coupon,) = await _issue_locked(session, batch, [event.member_id], "points_mall")
            coupon_id = coupon.id
        except (BatchClosed, BatchExhausted, MemberLimitReached) as exc:
            refused = MALL_REFUSALS[type(exc)]
    await repository.settle_mall_redemption(
        session, event.redemption_id, coupon_id=coupon_id, refused=refused
    )
    if refused is not None:
        payload = CouponIssueRefused(
            redemption_id=event.redemption_id,
            member_id=event.member_id,
            batch_id=event.coupon_batch_id,
            reason=refused,
            refused_at=datetime.now(UTC),
        )
        await publish(session, payload)
    redemption.coupon_id, redemption.refused = coupon_id, refused
    return redemption


async def issue_game_prize(session: AsyncSession, event: GamePrizeWon) -> GamePrizeAward | None:
    """A coupon a member won in a club game: one coupon of its batch, once per play, through the same
    issuing path as the mall (the batch row locked: its quantity and the member's limit hold). When
    none can be issued the refusal is recorded and ``merchant.coupon_prize_refused`` tells
    privilege-svc, which puts the prize back in the game's budget. Points prizes are not ours: None."""
    if event.prize_kind != "coupon" or event.coupon_batch_id is None:
        return None
    award = GamePrizeAward(
        play_id=event.play_id,
        game_id=event.game_id,
        member_id=event.member_id,
        batch_id=event.coupon_batch_id,
        won_at=event.won_at,
    )
    if not await repository.claim_game_award(session, award):
        return None
    refused: MallRefusal | None = None
    coupon_id: uuid.UUID | None = None
    batch = await _batch_named(session, event.coupon_batch_id)
    if batch is None:
        refused = "unknown_batch"
    else:
        try:  # every refusal is raised before anything is written
            (coupon,) = await _issue_locked(session, batch, [event.member_id], "game")
            coupon_id = coupon.id
        except (BatchClosed, BatchExhausted, MemberLimitReached) as exc:
            refused = MALL_REFUSALS[type(exc)]
    await repository.settle_game_award(session, event.play_id, coupon_id=coupon_id, refused=refused)
    if refused is not None:
        payload = CouponPrizeRefused(
            play_id=event.play_id,
            game_id=event.game_id,
            member_id=event.member_id,
            batch_id=event.coupon_batch_id,
            reason=refused,
            refused_at=datetime.now(UTC),
        )
        await publish(session, payload)
    award.coupon_id, award.refused = coupon_id, refused
    return award


async def _batch_named(session: AsyncSession, batch_id: str) -> CouponBatch | None:
    try:
        parsed = uuid.UUID(batch_id)
    except ValueError:
        return None
    return await repository.get_batch(session, parsed, for_update=True)


async def mall_redemptions(
    session: AsyncSession, *, refused_only: bool, cursor: str | None, limit: int
) -> Slice[MallRedemption]:
    return await repository.mall_redemptions(session, refused_only=refused_only, cursor=cursor, limit=limit)


async def of_member(
    session: AsyncSession, member_id: str, *, cursor: str | None, limit: int
) -> Slice[tuple[Coupon, CouponBatch]]:
    return await repository.of_member(session, member_id, cursor=cursor, limit=limit)


async def get(session: AsyncSession, coupon_id: uuid.UUID) -> Coupon:
    coupon = await repository.get(session, coupon_id)
    if coupon is None:
        raise CouponNotFound(f"coupon {coupon_id} is not known")
    return coupon


def qr_svg(coupon: Coupon) -> bytes:
    """The coupon's code as a QR code (SVG), for the member to show at the merchant."""
    image = qrcode.make(coupon.code, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


async def verify(session: AsyncSession, merchant_id: uuid.UUID, code: str) -> tuple[Coupon, CouponBatch]:
    """What a code is worth, for the merchant before redeeming it; 404 for another merchant's code."""
    found = await repository.by_code(session, code.strip().upper())
    if found is None or found[0].merchant_id != merchant_id:
        raise CouponNotFound("code: no such coupon at this merchant", field="code")
    return found


async def redeem(session: AsyncSession, merchant_id: uuid.UUID, code: str) -> tuple[Coupon, CouponBatch]:
    """Redeem exactly once, even under concurrent attempts; explains a refusal."""
    code = code.strip().upper()
    now = datetime.now(UTC)
    coupon = await repository.redeem(session, code, merchant_id, now)
    if coupon is None:
        found, batch = await verify(session, merchant_id, code)
        if found.status == CouponStatus.REDEEMED:
            raise CouponAlreadyRedeemed(
                f"code: redeemed at {found.redeemed_at.isoformat() if found.redeemed_at else '?'}",
                field="code",
            )
        raise CouponNotValidNow(
            f"code: valid from {batch.valid_from.isoformat()} until {batch.valid_until.isoformat()}",
            field="code",
        )
    batch = await get_batch(session, coupon.batch_id)
    payload = CouponRedeemed(
        coupon_id=str(coupon.id),
        batch_id=str(batch.id),
        member_id=coupon.member_id,
        merchant_id=str(merchant_id),
        redeemed_at=now,
    )
    await publish(session, payload)
    return coupon, batch


async def reconciliation(
    session: AsyncSession, merchant_id: uuid.UUID, since: datetime, until: datetime
) -> Reconciliation:
    await merchants.get(session, merchant_id)
    lines = [
        ReconciliationLine(
            batch_id=batch.id,
            title=batch.title,
            kind=CouponKind(batch.kind),
            issued=issued,
            redeemed=redeemed,
            amount_off_fen=(batch.amount_off_fen or 0) * redeemed
            if batch.kind == CouponKind.AMOUNT_OFF
            else 0,
        )
        for batch, issued, redeemed in await repository.reconciliation(session, merchant_id, since, until)
    ]
    return Reconciliation(
        merchant_id=merchant_id,
        since=since,
        until=until,
        lines=lines,
        redeemed=sum(line.redeemed for line in lines),
        amount_off_fen=sum(line.amount_off_fen for line in lines),
    )
