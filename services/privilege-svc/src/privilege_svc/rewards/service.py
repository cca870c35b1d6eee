"""Redeeming points for rewards, and flash sales.

A redemption is one transaction: the member's points account is locked (so one member's redemptions run
one at a time: no double spend, and the per-member limit holds), the balance and limit are checked,
then one unit is taken with ``UPDATE … SET stock = stock - 1 WHERE stock > 0 RETURNING``, the points are
debited and the redemption written with its event. Either all of it commits or none of it: no debit
without a redemption, no redemption without a debit, never more redemptions than stock.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from cheyou_events import Envelope, add_events
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.merchant import CouponIssueRefused
from cheyou_events.catalogue.privilege import RewardRedeemed
from cheyou_kit.auth import Principal
from cheyou_kit.dependencies import REDIS_UNREACHABLE, degraded
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.auth import ensure_can_read_own
from privilege_svc.entitlements import service as entitlements
from privilege_svc.entitlements.errors import MemberNotKnown
from privilege_svc.eventing import publish
from privilege_svc.payments import service as payments
from privilege_svc.points import service as points
from privilege_svc.rewards import repository
from privilege_svc.rewards.errors import (
    DeliveryAddressRequired,
    IdempotencyKeyReused,
    InvalidTransition,
    LimitReached,
    NotForTier,
    NotOnSale,
    RedemptionNotFound,
    RewardNotFound,
    SoldOut,
)
from privilege_svc.rewards.gate import StockGate
from privilege_svc.rewards.models import Redemption, Reward
from privilege_svc.rewards.schemas import RedemptionCreate, RedemptionUpdate, RewardCreate

log = logging.getLogger(__name__)

DEFAULT_PAYMENT_WINDOW = timedelta(minutes=15)


async def create(session: AsyncSession, body: RewardCreate, *, flash_sale: bool, created_by: str) -> Reward:
    reward = Reward(
        id=uuid.uuid4(),
        name=body.name,
        kind=body.kind,
        description=body.description,
        merchant_id=body.merchant_id,
        coupon_batch_id=body.coupon_batch_id,
        tier_prices={tier.value: price for tier, price in body.tier_prices.items()},
        stock=body.stock,
        initial_stock=body.stock,
        per_member_limit=body.per_member_limit,
        visible_from=body.visible_from,
        visible_until=body.visible_until,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        flash_sale=flash_sale,
        cash_price_fen=body.cash_price_fen or 0,
        created_by=created_by,
        created_at=datetime.now(UTC),
    )
    await repository.add_reward(session, reward)
    return reward


async def get(session: AsyncSession, reward_id: uuid.UUID) -> Reward:
    reward = await repository.get_reward(session, reward_id)
    if reward is None:
        raise RewardNotFound(f"reward {reward_id} does not exist")
    return reward


async def get_offered(session: AsyncSession, reward_id: uuid.UUID, member_id: str | None) -> Reward:
    """The reward as ``member_id`` sees it: only if their tier can redeem it (anything else is "not
    found", like a missing one); with no member (staff), any reward."""
    reward = await get(session, reward_id)
    if (
        member_id is not None
        and (await entitlements.member_tier(session, member_id)).value not in reward.tier_prices
    ):
        raise RewardNotFound(f"reward {reward_id} does not exist")
    return reward


async def list_rewards(
    session: AsyncSession,
    *,
    tier: str | None,
    flash_sale: bool | None,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> Slice[Reward]:
    """Staff see everything (``tier`` None); a member sees what is visible now and priced for their tier."""
    visible_at = (now or datetime.now(UTC)) if tier is not None else None
    return await repository.list_rewards(
        session, visible_at=visible_at, tier=tier, flash_sale=flash_sale, cursor=cursor, limit=limit
    )


def fingerprint(reward_id: uuid.UUID, body: RedemptionCreate) -> str:
    return hashlib.sha256(f"{reward_id}:{body.model_dump_json()}".encode()).hexdigest()


async def replay(
    session: AsyncSession, member_id: str, reward_id: uuid.UUID, body: RedemptionCreate, key: str | None
) -> Redemption | None:
    """The redemption an earlier request with the same Idempotency-Key made, if any."""
    if key is None:
        return None
    existing = await repository.by_idempotency_key(session, member_id, key)
    if existing is not None and existing.request_fingerprint != fingerprint(reward_id, body):
        raise IdempotencyKeyReused(
            "Idempotency-Key: already used with a different body", field="Idempotency-Key"
        )
    return existing


def _check_window(reward: Reward, now: datetime) -> None:
    if reward.starts_at is not None and now < reward.starts_at:
        raise NotOnSale(f"reward {reward.id} opens at {reward.starts_at.isoformat()}")
    if reward.ends_at is not None and now >= reward.ends_at:
        raise NotOnSale(f"reward {reward.id} closed at {reward.ends_at.isoformat()}")
    if reward.visible_until is not None and now >= reward.visible_until:
        raise NotOnSale(f"reward {reward.id} is no longer offered")


async def redeem(
    session: AsyncSession,
    reward_id: uuid.UUID,
    member_id: str,
    body: RedemptionCreate,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    payment_window: timedelta = DEFAULT_PAYMENT_WINDOW,
) -> Redemption:
    """Redeem one unit. Points + cash: the points and the unit are held and the redemption awaits its
    payment for ``payment_window``; ``reward_redeemed`` is written once WeChat Pay says it is paid."""
    now = now or datetime.now(UTC)
    if idempotency_key is not None:
        await repository.lock_idempotency_key(session, member_id, idempotency_key)
        if (done := await replay(session, member_id, reward_id, body, idempotency_key)) is not None:
            return done
    reward, tier = await _reward_and_tier(session, reward_id, member_id)
    _check_window(reward, now)
    price = reward.tier_prices.get(tier.value)
    if price is None:
        raise NotForTier(f"reward {reward.id} is not offered to {tier} members")
    if reward.kind == "goods" and body.delivery_address is None:
        raise DeliveryAddressRequired("delivery_address: goods are delivered", field="delivery_address")
    await points.lock_account(session, member_id)
    if reward.per_member_limit is not None:
        if await repository.count_for_member(session, reward.id, member_id) >= reward.per_member_limit:
            raise LimitReached(f"at most {reward.per_member_limit} per member")
    redemption_id = uuid.uuid4()
    events: list[Envelope[Any]] = []
    # The debit first: it refuses too few points before anything is written.
    entry = await points.debit(
        session,
        member_id,
        price,
        "redemption",
        source_key=f"redemption:{redemption_id}",
        reference_id=str(redemption_id),
        now=now,
        account_locked=True,
        events=events,
    )
    redemption = Redemption(
        id=redemption_id,
        reward_id=reward.id,
        member_id=member_id,
        tier=tier.value,
        points=price,
        debit_entry_id=entry.id,
        status="awaiting_payment" if reward.cash_price_fen > 0 else "redeemed",
        delivery_address=body.delivery_address,
        tracking_no=None,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint(reward_id, body),
        created_at=now,
        updated_at=now,
        cash_fen=reward.cash_price_fen,
        payment_due_at=now + payment_window if reward.cash_price_fen > 0 else None,
    )
    # The unit last, in the statement that records the redemption: the reward's row is the one every
    # redeemer waits for, so it is locked for as short a time as possible. ``redemption`` stays out of
    # the session: it is what was written, returned to the caller.
    if not await repository.take_one_and_record(session, _columns(redemption)):
        raise SoldOut(f"reward {reward.id} is sold out")
    if redemption.status == "redeemed":
        events.append(_redeemed_event(reward, redemption, now))
    await add_events(session, events)
    return redemption


def _redeemed_event(reward: Reward, redemption: Redemption, now: datetime) -> Envelope[RewardRedeemed]:
    return publish.envelope(
        RewardRedeemed(
            redemption_id=str(redemption.id),
            reward_id=str(reward.id),
            member_id=redemption.member_id,
            reward_name=reward.name,
            kind=reward.kind,
            points=redemption.points,
            flash_sale=reward.flash_sale,
            merchant_id=reward.merchant_id,
            coupon_batch_id=reward.coupon_batch_id,
            redeemed_at=now,
        )
    )


async def settle_payment(session: AsyncSession, redemption: Redemption, paid_at: datetime) -> bool:
    """WeChat Pay says the cash part is paid: the redemption is made (``reward_redeemed``). False when it no
    longer awaits payment (expired, or paid by another payment): the caller refunds that payment."""
    if redemption.status != "awaiting_payment":
        return False
    now = datetime.now(UTC)
    reward = await get(session, redemption.reward_id)
    redemption.status = "redeemed"
    redemption.paid_at = paid_at
    redemption.updated_at = now
    await add_events(session, [_redeemed_event(reward, redemption, now)])
    return True


async def due_for_expiry(session: AsyncSession, now: datetime, limit: int) -> list[Redemption]:
    return await repository.due_for_expiry(session, now, limit)


async def expire(session: AsyncSession, redemption: Redemption, now: datetime) -> None:
    """The payment failed or never came in time: the held points and the unit go back."""
    if redemption.status != "awaiting_payment":
        return
    await points.lock_account(session, redemption.member_id)  # the order redeem() locks in
    await repository.put_back(session, redemption.reward_id)
    await points.reverse(session, redemption.debit_entry_id, "reversal", now=now)
    redemption.status = "expired"
    redemption.updated_at = now


async def _reward_and_tier(
    session: AsyncSession, reward_id: uuid.UUID, member_id: str
) -> tuple[Reward, Tier]:
    reward, tier = await repository.reward_and_tier(session, reward_id, member_id)
    if reward is None:
        raise RewardNotFound(f"reward {reward_id} does not exist")
    if tier is None:
        raise MemberNotKnown(f"member {member_id} is not known")
    return reward, Tier(tier)


_REDEMPTION_COLUMNS = (
    "cash_fen",
    "payment_due_at",
    "id",
    "reward_id",
    "member_id",
    "tier",
    "points",
    "debit_entry_id",
    "status",
    "delivery_address",
    "idempotency_key",
    "request_fingerprint",
    "created_at",
    "updated_at",
)


def _columns(redemption: Redemption) -> dict[str, Any]:
    return {name: getattr(redemption, name) for name in _REDEMPTION_COLUMNS}


async def redeem_through_gate(
    session: AsyncSession,
    gate: StockGate | None,
    reward_id: uuid.UUID,
    member_id: str,
    body: RedemptionCreate,
    *,
    idempotency_key: str | None = None,
) -> Redemption:
    """A flash-sale redemption: replays first, then the Redis gate (when on), then :func:`redeem`.

    The gate answers "sold out" only when the database agrees: a Redis unit can be held by an admitted
    attempt that then fails (too few points, over the limit) and gives it back after others were turned
    away, so a refusal is checked against the committed stock (one unlocked read). While units are in
    flight the attempt goes on to the transaction, which decides. Turned-away attempts never take a row
    lock; once the sale is really sold out they cost one read."""
    if (done := await replay(session, member_id, reward_id, body, idempotency_key)) is not None:
        return done
    if gate is None:
        return await redeem(session, reward_id, member_id, body, idempotency_key=idempotency_key)

    async def stock() -> int:
        return (await get(session, reward_id)).stock

    try:
        admitted = await gate.admit(reward_id, stock)
    except REDIS_UNREACHABLE as exc:  # without the gate the database still decides, in its row lock
        degraded("flash_sale_gate", "fallback", exc)
        return await redeem(session, reward_id, member_id, body, idempotency_key=idempotency_key)
    if not admitted:
        if not await repository.stock_left(session, reward_id):
            raise SoldOut(f"reward {reward_id} is sold out")
        return await redeem(session, reward_id, member_id, body, idempotency_key=idempotency_key)
    try:
        return await redeem(session, reward_id, member_id, body, idempotency_key=idempotency_key)
    except BaseException:
        with contextlib.suppress(*REDIS_UNREACHABLE):  # a lost unit costs a read later, not a sale
            await gate.release(reward_id)
        raise


async def import_historical(
    session: AsyncSession, reward: Reward, redemptions: list[tuple[str, str, datetime]]
) -> None:
    """Redemptions (member, tier, at) from before this service (see ``orders.service.import_historical``):
    the units and the points they cost are recorded as spent, in batches, without events."""
    debit_ids = await points.import_spent(
        session,
        [(member_id, reward.tier_prices[tier], at) for member_id, tier, at in redemptions],
        "redemption",
    )
    reward.stock -= len(redemptions)
    session.add_all(
        Redemption(
            id=uuid.uuid4(),
            reward_id=reward.id,
            member_id=member_id,
            tier=tier,
            points=reward.tier_prices[tier],
            debit_entry_id=debit_id,
            status="redeemed",
            created_at=at,
            updated_at=at,
        )
        for (member_id, tier, at), debit_id in zip(redemptions, debit_ids, strict=True)
    )
    await session.flush()


async def get_redemption(
    session: AsyncSession, redemption_id: uuid.UUID, *, for_update: bool = False
) -> Redemption:
    redemption = await repository.get_redemption(session, redemption_id, for_update=for_update)
    if redemption is None:
        raise RedemptionNotFound(f"redemption {redemption_id} does not exist")
    return redemption


async def get_visible_redemption(
    session: AsyncSession, redemption_id: uuid.UUID, principal: Principal
) -> Redemption:
    """The redemption, if the caller may see it: someone else's is "not found", like a missing one."""
    redemption = await get_redemption(session, redemption_id)
    ensure_can_read_own(
        principal, redemption.member_id, RedemptionNotFound(f"redemption {redemption_id} does not exist")
    )
    return redemption


async def list_redemptions(
    session: AsyncSession,
    member_id: str | None,
    reward_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Redemption]:
    return await repository.list_redemptions(session, member_id, reward_id, cursor, limit)


NEXT = {"redeemed": {"shipped", "cancelled", "delivered"}, "shipped": {"delivered"}}


async def update_redemption(
    session: AsyncSession, redemption: Redemption, update: RedemptionUpdate, *, actor: str
) -> Redemption:
    """Delivery progress; cancelling puts the unit back in stock and reverses exactly the debit."""
    if update.status not in NEXT.get(redemption.status, set()):
        raise InvalidTransition(f"redemption {redemption.id} is {redemption.status}")
    now = datetime.now(UTC)
    if update.status == "cancelled":
        await points.lock_account(session, redemption.member_id)  # the order redeem() locks in
        await repository.put_back(session, redemption.reward_id)
        await points.reverse(session, redemption.debit_entry_id, "reversal", actor=actor, now=now)
        if redemption.paid_at is not None:  # points + cash: the cash goes back too
            await payments.refund_payable(
                session, redemption.cash_fen, "ops", redemption_id=redemption.id, now=now
            )
    if update.tracking_no is not None:
        redemption.tracking_no = update.tracking_no
    redemption.status = update.status
    redemption.updated_at = now
    return redemption


async def refund_refused_coupon(session: AsyncSession, refusal: CouponIssueRefused) -> Redemption | None:
    """merchant-svc could not issue the coupon the member paid for: the redemption is refunded with the
    reason, the debit reversed (exactly the lots it used come back, ``points_credited`` is emitted) and
    the unit goes back to stock, as when ops cancel one. Once: a refunded redemption is left alone.

    A flash sale's Redis gate is not told: it refuses only after the committed stock says sold out, so
    the unit put back here is still sold (see ``redeem_through_gate``). None when nothing was refunded."""
    try:
        redemption_id = uuid.UUID(refusal.redemption_id)
    except ValueError:
        log.warning("coupon refusal for redemption %r, which is not one of ours", refusal.redemption_id)
        return None
    redemption = await repository.get_redemption(session, redemption_id, for_update=True)
    if redemption is None or redemption.member_id != refusal.member_id:
        log.warning("coupon refusal for unknown redemption %s of %s", redemption_id, refusal.member_id)
        return None
    if redemption.status != "redeemed":  # refunded already, or cancelled by ops: given back once
        return None
    await points.lock_account(session, redemption.member_id)  # the order redeem() locks in
    await repository.put_back(session, redemption.reward_id)
    await points.reverse(session, redemption.debit_entry_id, "reversal", now=refusal.refused_at)
    redemption.status = "refunded"
    redemption.refund_reason = refusal.reason
    redemption.updated_at = refusal.refused_at
    if redemption.paid_at is not None:  # points + cash: the cash goes back too
        await payments.refund_payable(
            session, redemption.cash_fen, "cancelled", redemption_id=redemption.id, now=refusal.refused_at
        )
    return redemption
