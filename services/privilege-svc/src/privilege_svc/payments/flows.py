"""Where payments meet what they pay for (service orders, points + cash redemptions).

- Starting a payment: only for the member's own order or redemption that awaits payment, for its price.
- WeChat Pay's notification (verified, decrypted, once per notification id): a paid payment settles its
  order (which is then dispatched) or redemption; a payment that arrives for something no longer awaiting
  payment — expired, cancelled, or already paid by another attempt — is refunded in full.
- Cancelling an unpaid order closes its WeChat Pay attempts first; one found paid meanwhile settles the
  order, which is then cancelled as a paid order (and refunded).
- The payments job: expire what was not paid in time (closing at WeChat Pay first), close attempts left
  open, submit decided refunds, follow refunds whose notification did not come.

Locks are always taken payable first (order or redemption), then its payments, so a notification, a
cancellation and the job never wait on each other in a circle.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from cheyou_events.catalogue.payment import RefundCause
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.member_projection import service as members
from privilege_svc.orders import service as orders
from privilege_svc.orders.errors import OrderNotFound
from privilege_svc.orders.models import ServiceOrder
from privilege_svc.orders.service import CancelledBy
from privilege_svc.payments import repository
from privilege_svc.payments import service as payments
from privilege_svc.payments.errors import (
    AmountMismatch,
    NothingToPay,
    NotificationInvalid,
    UnknownPayment,
    UnknownRefund,
)
from privilege_svc.payments.models import Payment
from privilege_svc.payments.schemas import PaymentAttemptCreate
from privilege_svc.payments.wechatpay import NotificationRefused, WechatPay
from privilege_svc.privileges import service as privileges
from privilege_svc.rewards import service as rewards
from privilege_svc.rewards.errors import RedemptionNotFound
from privilege_svc.rewards.models import Redemption

log = logging.getLogger(__name__)

FOLLOW_REFUNDS_AFTER = timedelta(seconds=60)


async def start_payment(
    session: AsyncSession,
    client: WechatPay,
    member_id: str,
    body: PaymentAttemptCreate,
    *,
    client_ip: str,
    now: datetime,
) -> Payment:
    """A payment attempt for the member's own order or redemption that awaits payment."""
    if body.order_id is not None:
        order = await orders.get(session, body.order_id, for_update=True)
        if order.member_id != member_id:
            raise OrderNotFound(f"order {body.order_id} does not exist")
        if order.status != "awaiting_payment" or order.payment_due_at is None or order.payment_due_at <= now:
            raise NothingToPay(f"order {order.id} is {order.status}", field="order_id")
        privilege = await privileges.get_privilege(session, order.privilege_code)
        payable = payments.Payable(
            member_id=member_id,
            amount_fen=order.price_fen,
            description=f"车友-{privilege.name}",
            due_at=order.payment_due_at,
            order_id=order.id,
        )
    else:
        assert body.redemption_id is not None
        redemption = await rewards.get_redemption(session, body.redemption_id, for_update=True)
        if redemption.member_id != member_id:
            raise RedemptionNotFound(f"redemption {body.redemption_id} does not exist")
        due = redemption.payment_due_at
        if redemption.status != "awaiting_payment" or due is None or due <= now:
            raise NothingToPay(f"redemption {redemption.id} is {redemption.status}", field="redemption_id")
        reward = await rewards.get(session, redemption.reward_id)
        payable = payments.Payable(
            member_id=member_id,
            amount_fen=redemption.cash_fen,
            description=f"车友积分商城-{reward.name}",
            due_at=due,
            redemption_id=redemption.id,
        )
    openid = await members.openid_of(session, member_id) if body.channel == "jsapi" else None
    return await payments.start(
        session, client, payable, body.channel, openid=openid, client_ip=client_ip, now=now
    )


async def on_notification(
    session: AsyncSession, client: WechatPay, headers: dict[str, str], body: bytes, *, now: datetime
) -> None:
    """Verify, decrypt and apply one notification (a redelivery of one applied before changes nothing)."""
    try:
        notification = client.read_notification(headers, body)
    except NotificationRefused as refused:
        payments.alert("notification_refused", refused.reason, refused.detail)
        raise NotificationInvalid(
            refused.detail, code="FAIL", message=refused.detail, reason=refused.reason
        ) from refused
    resource = notification.resource
    subject = str(resource.get("out_refund_no") or resource.get("out_trade_no") or "")[:64]
    if notification.event_type == "TRANSACTION.SUCCESS":
        await _lock_payable_of(session, str(resource.get("out_trade_no") or ""))
    elif notification.event_type.startswith("REFUND."):
        await _lock_payable_of(session, str(resource.get("out_trade_no") or ""))
    else:
        log.info(
            "WeChat Pay notification %s of type %s: nothing to do", notification.id, notification.event_type
        )
        return
    if not await payments.record_notification(
        session, notification.id, notification.event_type, subject, now
    ):
        return  # applied before: WeChat Pay retried, or sent it twice
    try:
        if notification.event_type == "TRANSACTION.SUCCESS":
            await apply_paid(session, client, resource, now=now)
        else:
            await payments.apply_refund(session, resource, now=now)
    except (UnknownPayment, AmountMismatch, UnknownRefund) as refused:
        raise type(refused)(refused.detail, code="FAIL", message=refused.detail) from refused


async def _lock_payable_of(session: AsyncSession, out_trade_no: str) -> None:
    """Lock the order or redemption a payment is for, before the payment (see the module's doc)."""
    payment = await repository.by_out_trade_no(session, out_trade_no) if out_trade_no else None
    if payment is not None:
        await _lock_payable(session, payment.order_id, payment.redemption_id)


async def _lock_payable(
    session: AsyncSession, order_id: uuid.UUID | None, redemption_id: uuid.UUID | None
) -> ServiceOrder | Redemption:
    if order_id is not None:
        return await orders.get(session, order_id, for_update=True)
    assert redemption_id is not None
    return await rewards.get_redemption(session, redemption_id, for_update=True)


async def apply_paid(
    session: AsyncSession, client: WechatPay, transaction: dict[str, object], *, now: datetime
) -> None:
    applied = await payments.apply_transaction(session, client, dict(transaction), now=now)
    if applied is not None and applied[1]:
        await _pay_for(session, applied[0], now)


async def _pay_for(session: AsyncSession, payment: Payment, now: datetime) -> None:
    """A payment just succeeded: it settles its payable, or goes back (late or second payment)."""
    at = payment.paid_at or now
    payable = await _lock_payable(session, payment.order_id, payment.redemption_id)
    if isinstance(payable, ServiceOrder):
        settled = await orders.settle_payment(session, payable, at)
    else:
        settled = await rewards.settle_payment(session, payable, at)
    if settled:
        others = await payments.attempts_of(
            session, order_id=payment.order_id, redemption_id=payment.redemption_id
        )
        payments.mark_to_close([p for p in others if p.id != payment.id], "paid_otherwise", now)
        return
    cause: RefundCause = "duplicate_payment" if payable.paid_at is not None else "late_payment"
    log.warning(
        "payment %s arrived for %s (%s): refunded in full", payment.out_trade_no, payable.id, payable.status
    )
    await payments.request_refund(session, payment, payment.amount_fen, cause, now=now)


async def cancel_order(
    session: AsyncSession,
    client: WechatPay,
    order: ServiceOrder,
    *,
    by: CancelledBy,
    reason: str,
    now: datetime,
) -> ServiceOrder:
    """Cancel an order (locked by the caller). An unpaid one's WeChat Pay attempts are closed first; an
    attempt WeChat Pay says was paid meanwhile settles it, and it is cancelled as paid (refunded)."""
    if order.status == "awaiting_payment":
        for paid in await payments.close_open(
            session, client, order_id=order.id, reason="cancelled", now=now
        ):
            await _pay_for(session, paid, now)
    return await orders.cancel(session, order, by=by, reason=reason, now=now)


# --- the payments job ----------------------------------------------------------------------------


async def expire_due(session: AsyncSession, client: WechatPay, *, now: datetime, limit: int) -> int:
    """Orders and redemptions whose payment window passed: close at WeChat Pay first (one found paid
    settles instead), then expire; a close WeChat Pay did not answer is retried, and a payment that still
    lands is refunded as late."""
    handled = 0
    for order in await orders.due_for_expiry(session, now, limit):
        for paid in await payments.close_open(session, client, order_id=order.id, reason="expired", now=now):
            await _pay_for(session, paid, now)
        await orders.expire(session, order, now)
        handled += 1
    for redemption in await rewards.due_for_expiry(session, now, limit):
        for paid in await payments.close_open(
            session, client, redemption_id=redemption.id, reason="expired", now=now
        ):
            await _pay_for(session, paid, now)
        await rewards.expire(session, redemption, now)
        handled += 1
    return handled


async def settle_money(session: AsyncSession, client: WechatPay, *, now: datetime, limit: int) -> int:
    """Close attempts left open, submit decided refunds, follow refunds still processing."""
    handled = 0
    for payment_id in await repository.ids_to_close(session, limit):
        unlocked = await repository.get(session, payment_id)
        if unlocked is None:
            continue
        await _lock_payable(session, unlocked.order_id, unlocked.redemption_id)
        payment = await repository.get(session, payment_id, for_update=True)
        if payment is None or payment.status != "pending" or not payment.close_requested:
            continue
        if (
            paid := await payments.close_one(session, client, payment, payment.close_reason or "expired", now)
        ) is not None:
            await _pay_for(session, paid, now)
        handled += 1
    handled += await payments.submit_refunds(session, client, now=now, limit=limit)
    handled += await payments.follow_refunds(
        session, client, now=now, limit=limit, after=FOLLOW_REFUNDS_AFTER
    )
    return handled
