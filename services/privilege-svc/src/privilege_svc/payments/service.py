"""Payments and refunds through WeChat Pay, knowing nothing of what they pay for.

A *payable* (a priced service order, a points + cash redemption) is paid by a payment: a row written
before WeChat Pay is asked for a prepay id (``out_trade_no`` is the row's id), marked ``succeeded`` only
on what WeChat Pay itself says — a verified, decrypted notification or a signed query answer — and only
when its amount is the row's. Refunds are decided in the caller's transaction (``pending``) and submitted
by the payments job; their outcome comes by notification or query. Every movement of money writes its
``cheyou.payment.*`` event through the same session. Nothing here commits.

Alerts: ``cheyou_payment_alerts_total{alert}`` (alert rules fire on any increase) and one log line per
alert at ERROR with ``extra={"alert": …}``: a refused notification (``notification_refused``, with the
reason), a notification for a payment or refund we do not know or with another amount, a refund WeChat Pay
closed or could not pay, a reconciliation difference (``reconciliation_difference``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from cheyou_events.catalogue.payment import (
    PaymentClosed,
    PaymentRefunded,
    PaymentRefundFailed,
    PaymentRefundRequested,
    PaymentSucceeded,
    RefundCause,
)
from cheyou_kit.auth import Principal
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.auth import ensure_can_read_own
from privilege_svc.eventing import publish
from privilege_svc.payments import repository
from privilege_svc.payments.errors import (
    AmountMismatch,
    PayerUnknown,
    PaymentNotFound,
    PaymentProviderFailed,
    PaymentsNotConfigured,
    RefundTooLarge,
    UnknownPayment,
    UnknownRefund,
)
from privilege_svc.payments.models import REFUND_FAILED, REFUND_OPEN, Payment, PaymentRefund
from privilege_svc.payments.schemas import PaymentSummary
from privilege_svc.payments.wechatpay import WechatPay, WechatPayError

log = logging.getLogger(__name__)

PREPAY_LIFETIME = timedelta(hours=2)
"""A prepay id is good for two hours (WeChat Pay); an attempt older than that is placed anew."""
REFUND_MAX_ATTEMPTS = 8
REFUND_REASONS: dict[str, str] = {
    "cancelled": "车友订单取消，款项原路退回",
    "late_payment": "订单已关闭后到账的付款，原路退回",
    "duplicate_payment": "订单已付款，重复支付原路退回",
    "ops": "车友客服退款",
}
"""What WeChat Pay shows the member beside each refund (at most 80 characters)."""

ALERTS = Counter(
    "cheyou_payment_alerts",
    "Payment events that need a person: refused notifications, unknown or mismatched payments and refunds, "
    "failed refunds, reconciliation differences",
    ["alert", "reason"],
)

Channel = Literal["jsapi", "h5"]


def alert(alert_name: str, reason: str, message: str, **fields: Any) -> None:
    """Count it (an alert rule fires on any increase) and log it for the person who looks."""
    ALERTS.labels(alert_name, reason).inc()
    log.error(
        "payment alert %s (%s): %s",
        alert_name,
        reason,
        message,
        extra={"alert": alert_name, "reason": reason, **fields},
    )


@dataclass(frozen=True)
class Payable:
    """What a payment pays for: a service order or a redemption, its member, price and deadline."""

    member_id: str
    amount_fen: int
    description: str
    due_at: datetime
    order_id: uuid.UUID | None = None
    redemption_id: uuid.UUID | None = None


def _ids(row: Payment) -> dict[str, str | None]:
    return {
        "order_id": str(row.order_id) if row.order_id else None,
        "redemption_id": str(row.redemption_id) if row.redemption_id else None,
    }


def _parse_time(value: object, fallback: datetime) -> datetime:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return fallback
    return fallback


# --- paying ------------------------------------------------------------------------------------------


async def start(
    session: AsyncSession,
    client: WechatPay,
    payable: Payable,
    channel: Channel,
    *,
    openid: str | None,
    client_ip: str,
    now: datetime,
) -> Payment:
    """A payment attempt to hand to the member: the open one for this channel when its prepay id is still
    good, else a new one placed at WeChat Pay (``time_expire`` = the payable's deadline)."""
    if not client.configured:
        raise PaymentsNotConfigured("PRIVILEGE_WECHATPAY_* settings are missing")
    if channel == "jsapi" and not openid:
        raise PayerUnknown("channel: jsapi needs the member's WeChat; use h5", field="channel")
    attempts = await repository.of_payable(
        session, order_id=payable.order_id, redemption_id=payable.redemption_id
    )
    for attempt in attempts:
        if (
            attempt.status == "pending"
            and not attempt.close_requested
            and attempt.channel == channel
            and attempt.amount_fen == payable.amount_fen
            and attempt.created_at > now - PREPAY_LIFETIME
        ):
            return attempt
    payment_id = uuid.uuid4()
    payment = Payment(
        id=payment_id,
        out_trade_no=payment_id.hex,
        member_id=payable.member_id,
        order_id=payable.order_id,
        redemption_id=payable.redemption_id,
        amount_fen=payable.amount_fen,
        description=payable.description[:127],
        channel=channel,
        status="pending",
        expires_at=payable.due_at,
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, payment)
    attach = f"order:{payable.order_id}" if payable.order_id else f"redemption:{payable.redemption_id}"
    try:
        if channel == "jsapi":
            assert openid is not None
            payment.prepay_id = await client.jsapi(
                payment.out_trade_no, payment.description, payment.amount_fen, openid, payable.due_at, attach
            )
            payment.payer_openid = openid
        else:
            payment.h5_url = await client.h5(
                payment.out_trade_no,
                payment.description,
                payment.amount_fen,
                client_ip,
                payable.due_at,
                attach,
            )
    except WechatPayError as error:
        # The transaction rolls back: no attempt is kept that the member could not pay.
        log.warning("WeChat Pay refused or missed the order %s: %s", payment.out_trade_no, error)
        raise PaymentProviderFailed(f"WeChat Pay: {error.code} {error.message}".strip()) from error
    return payment


def bridge_parameters(client: WechatPay, payment: Payment) -> dict[str, str] | None:
    """For a JSAPI attempt, freshly signed parameters for the WeChat bridge."""
    if payment.channel != "jsapi" or payment.prepay_id is None:
        return None
    return client.bridge_parameters(payment.prepay_id)


async def apply_transaction(
    session: AsyncSession, client: WechatPay, transaction: dict[str, Any], *, now: datetime
) -> tuple[Payment, bool] | None:
    """WeChat Pay's word on a transaction (decrypted notification or query): the payment, and whether it
    became ``succeeded`` now. None when the transaction is not paid. A transaction for a payment we do
    not know, or for another amount, is refused (:class:`UnknownPayment`, :class:`AmountMismatch`) and
    alerted; nothing is written."""
    out_trade_no = str(transaction.get("out_trade_no") or "")
    payment = (
        await repository.by_out_trade_no(session, out_trade_no, for_update=True) if out_trade_no else None
    )
    if payment is None or transaction.get("mchid") not in (None, client.mchid):
        alert(
            "payment_unknown",
            "unknown_payment",
            f"WeChat Pay reports {out_trade_no!r}, not one of ours",
            out_trade_no=out_trade_no,
        )
        raise UnknownPayment(f"out_trade_no {out_trade_no!r} is not one of ours")
    amount = transaction.get("amount") or {}
    if amount.get("total") != payment.amount_fen or amount.get("currency", "CNY") != "CNY":
        alert(
            "payment_amount_mismatch",
            "amount_mismatch",
            f"{out_trade_no}: WeChat Pay says {amount.get('total')} fen, we asked {payment.amount_fen}",
            out_trade_no=out_trade_no,
            theirs_fen=amount.get("total"),
            ours_fen=payment.amount_fen,
        )
        raise AmountMismatch(f"out_trade_no {out_trade_no}: the amount is not the payment's")
    if transaction.get("trade_state") not in ("SUCCESS", "REFUND"):
        return None
    if payment.status == "succeeded":
        return payment, False
    paid_at = _parse_time(transaction.get("success_time"), now)
    payment.status = "succeeded"
    payment.transaction_id = str(transaction.get("transaction_id") or "") or None
    payment.payer_openid = (transaction.get("payer") or {}).get("openid") or payment.payer_openid
    payment.paid_at = paid_at
    payment.close_requested = False
    payment.updated_at = now
    await publish(
        session,
        PaymentSucceeded(
            payment_id=str(payment.id),
            member_id=payment.member_id,
            out_trade_no=payment.out_trade_no,
            transaction_id=payment.transaction_id or payment.out_trade_no,
            amount_fen=payment.amount_fen,
            channel="jsapi" if payment.channel == "jsapi" else "h5",
            paid_at=paid_at,
            **_ids(payment),
        ),
    )
    return payment, True


async def close_open(
    session: AsyncSession,
    client: WechatPay,
    *,
    order_id: uuid.UUID | None = None,
    redemption_id: uuid.UUID | None = None,
    reason: Literal["expired", "cancelled", "paid_otherwise"],
    now: datetime,
) -> list[Payment]:
    """Close the payable's pending attempts at WeChat Pay. Those WeChat Pay says were paid meanwhile are
    applied (``succeeded``) and returned: the caller decides what they pay for. One WeChat Pay does not
    answer stays ``close_requested`` and the payments job tries again."""
    paid: list[Payment] = []
    for payment in await repository.of_payable(session, order_id=order_id, redemption_id=redemption_id):
        if payment.status == "pending":
            if (found := await close_one(session, client, payment, reason, now)) is not None:
                paid.append(found)
    return paid


async def close_one(
    session: AsyncSession, client: WechatPay, payment: Payment, reason: str, now: datetime
) -> Payment | None:
    """Close one pending attempt; the attempt if it turned out paid."""
    payment.close_requested = True
    payment.close_reason = reason
    payment.updated_at = now
    try:
        closed = await client.close(payment.out_trade_no)
        if not closed:
            transaction = await client.query(payment.out_trade_no)
            applied = (
                await apply_transaction(session, client, transaction or {}, now=now) if transaction else None
            )
            return applied[0] if applied else None
    except WechatPayError as error:
        log.warning(
            "closing %s at WeChat Pay failed (%s); the payments job tries again", payment.out_trade_no, error
        )
        return None
    payment.status = "closed"
    payment.closed_at = now
    payment.close_requested = False
    await publish(
        session,
        PaymentClosed(
            payment_id=str(payment.id),
            member_id=payment.member_id,
            out_trade_no=payment.out_trade_no,
            amount_fen=payment.amount_fen,
            reason=_close_reason(reason),
            closed_at=now,
            **_ids(payment),
        ),
    )
    return None


def _close_reason(reason: str) -> Literal["expired", "cancelled", "paid_otherwise"]:
    if reason == "cancelled":
        return "cancelled"
    if reason == "paid_otherwise":
        return "paid_otherwise"
    return "expired"


def mark_to_close(payments: Sequence[Payment], reason: str, now: datetime) -> None:
    """Pending attempts the payments job should close (another attempt paid the payable)."""
    for payment in payments:
        if payment.status == "pending":
            payment.close_requested = True
            payment.close_reason = reason
            payment.updated_at = now


async def attempts_of(
    session: AsyncSession, *, order_id: uuid.UUID | None = None, redemption_id: uuid.UUID | None = None
) -> Sequence[Payment]:
    return await repository.of_payable(session, order_id=order_id, redemption_id=redemption_id)


async def refunds_of(session: AsyncSession, payment_id: uuid.UUID) -> Sequence[PaymentRefund]:
    return await repository.refunds_of(session, [payment_id])


async def get(session: AsyncSession, payment_id: uuid.UUID) -> Payment:
    payment = await repository.get(session, payment_id)
    if payment is None:
        raise PaymentNotFound(f"payment {payment_id} does not exist")
    return payment


async def get_visible(session: AsyncSession, payment_id: uuid.UUID, principal: Principal) -> Payment:
    """The payment, if the caller may see it: someone else's payment is "not found", like a missing one."""
    payment = await get(session, payment_id)
    ensure_can_read_own(principal, payment.member_id, PaymentNotFound(f"payment {payment_id} does not exist"))
    return payment


# --- refunds -----------------------------------------------------------------------------------------


async def request_refund(
    session: AsyncSession, payment: Payment, amount_fen: int, cause: RefundCause, *, now: datetime
) -> PaymentRefund:
    """Decide a refund of a succeeded payment (the payments job submits it)."""
    locked = await repository.get(session, payment.id, for_update=True)
    assert locked is not None
    left = locked.amount_fen - await repository.refunded_or_owed(session, locked.id)
    if locked.status != "succeeded" or amount_fen < 1 or amount_fen > left:
        raise RefundTooLarge(f"payment {locked.id}: {amount_fen} fen asked, {left} left")
    refund_id = uuid.uuid4()
    refund = PaymentRefund(
        id=refund_id,
        out_refund_no=refund_id.hex,
        payment_id=locked.id,
        member_id=locked.member_id,
        amount_fen=amount_fen,
        cause=cause,
        reason=REFUND_REASONS[cause],
        status="pending",
        attempts=0,
        requested_at=now,
        updated_at=now,
    )
    await repository.add(session, refund)
    await publish(
        session,
        PaymentRefundRequested(
            refund_id=str(refund.id),
            payment_id=str(locked.id),
            member_id=locked.member_id,
            out_refund_no=refund.out_refund_no,
            amount_fen=amount_fen,
            cause=cause,
            requested_at=now,
            **_ids(locked),
        ),
    )
    return refund


async def refund_payable(
    session: AsyncSession,
    amount_fen: int,
    cause: RefundCause,
    *,
    order_id: uuid.UUID | None = None,
    redemption_id: uuid.UUID | None = None,
    now: datetime,
) -> PaymentRefund | None:
    """Refund ``amount_fen`` of what paid this payable (the first succeeded attempt); None when nothing
    paid it or ``amount_fen`` is 0."""
    if amount_fen <= 0:
        return None
    paid = [
        p
        for p in await repository.of_payable(session, order_id=order_id, redemption_id=redemption_id)
        if p.status == "succeeded"
    ]
    if not paid:
        return None
    payer = min(paid, key=lambda p: p.paid_at or p.created_at)
    return await request_refund(session, payer, amount_fen, cause, now=now)


async def submit_refunds(session: AsyncSession, client: WechatPay, *, now: datetime, limit: int) -> int:
    """Send decided refunds to WeChat Pay (idempotent on ``out_refund_no``: a retry never refunds twice)."""
    refunds = await repository.refunds_to_submit(session, limit)
    for refund in refunds:
        payment = await repository.get(session, refund.payment_id)
        assert payment is not None
        try:
            accepted = await client.refund(
                payment.out_trade_no,
                refund.out_refund_no,
                refund.amount_fen,
                payment.amount_fen,
                refund.reason,
            )
        except WechatPayError as error:
            refund.attempts += 1
            refund.last_error = str(error)[:500]
            refund.updated_at = now
            if not error.retryable and refund.attempts >= REFUND_MAX_ATTEMPTS:
                await _settle(session, refund, payment, "ABNORMAL", None, now)
            continue
        refund.refund_id = str(accepted.get("refund_id") or "") or None
        refund.accepted_at = _parse_time(accepted.get("create_time"), now)
        refund.status = "processing"
        refund.attempts += 1
        refund.updated_at = now
        await _settle(
            session,
            refund,
            payment,
            str(accepted.get("status", "PROCESSING")),
            accepted.get("success_time"),
            now,
        )
    return len(refunds)


async def follow_refunds(
    session: AsyncSession, client: WechatPay, *, now: datetime, limit: int, after: timedelta
) -> int:
    """Ask WeChat Pay about refunds accepted ``after`` ago and still processing (a lost notification)."""
    refunds = await repository.refunds_to_follow(session, now - after, limit)
    for refund in refunds:
        try:
            found = await client.refund_status(refund.out_refund_no)
        except WechatPayError as error:
            log.warning("asking WeChat Pay about refund %s failed: %s", refund.out_refund_no, error)
            continue
        if found is None:
            continue
        payment = await repository.get(session, refund.payment_id)
        assert payment is not None
        await _settle(
            session, refund, payment, str(found.get("status", "PROCESSING")), found.get("success_time"), now
        )
    return len(refunds)


async def apply_refund(session: AsyncSession, resource: dict[str, Any], *, now: datetime) -> PaymentRefund:
    """WeChat Pay's refund notification (decrypted). Unknown refunds and other amounts are refused and
    alerted; nothing is written."""
    out_refund_no = str(resource.get("out_refund_no") or "")
    refund = (
        await repository.refund_by_out_no(session, out_refund_no, for_update=True) if out_refund_no else None
    )
    if refund is None:
        alert(
            "refund_unknown",
            "unknown_refund",
            f"WeChat Pay reports refund {out_refund_no!r}, not one of ours",
            out_refund_no=out_refund_no,
        )
        raise UnknownRefund(f"out_refund_no {out_refund_no!r} is not one of ours")
    theirs = (resource.get("amount") or {}).get("refund")
    if theirs != refund.amount_fen:
        alert(
            "refund_amount_mismatch",
            "amount_mismatch",
            f"refund {out_refund_no}: WeChat Pay says {theirs} fen, we asked {refund.amount_fen}",
            out_refund_no=out_refund_no,
        )
        raise AmountMismatch(f"out_refund_no {out_refund_no}: the amount is not the refund's")
    payment = await repository.get(session, refund.payment_id)
    assert payment is not None
    if refund.status == "pending":  # WeChat Pay accepted it, but its answer did not reach us
        refund.status = "processing"
        refund.refund_id = str(resource.get("refund_id") or "") or None
        refund.accepted_at = now
    status = str(resource.get("refund_status") or "PROCESSING")
    await _settle(session, refund, payment, status, resource.get("success_time"), now)
    return refund


async def _settle(
    session: AsyncSession,
    refund: PaymentRefund,
    payment: Payment,
    status: str,
    success_time: object,
    now: datetime,
) -> None:
    """Move an open refund to WeChat Pay's final word (a settled refund never moves again)."""
    if refund.status not in REFUND_OPEN or status not in ("SUCCESS", "CLOSED", "ABNORMAL"):
        return
    settled_at = _parse_time(success_time, now)
    refund.settled_at = settled_at
    refund.updated_at = now
    ids = _ids(payment)
    if status == "SUCCESS":
        refund.status = "succeeded"
        await publish(
            session,
            PaymentRefunded(
                refund_id=str(refund.id),
                payment_id=str(payment.id),
                member_id=refund.member_id,
                out_refund_no=refund.out_refund_no,
                amount_fen=refund.amount_fen,
                refunded_at=settled_at,
                **ids,
            ),
        )
        return
    refund.status = status.lower()
    alert(
        "refund_failed",
        refund.status,
        f"refund {refund.out_refund_no} of {refund.amount_fen} fen for {payment.out_trade_no} ended {status}",
        out_refund_no=refund.out_refund_no,
        out_trade_no=payment.out_trade_no,
    )
    await publish(
        session,
        PaymentRefundFailed(
            refund_id=str(refund.id),
            payment_id=str(payment.id),
            member_id=refund.member_id,
            out_refund_no=refund.out_refund_no,
            amount_fen=refund.amount_fen,
            status="closed" if status == "CLOSED" else "abnormal",
            failed_at=now,
            **ids,
        ),
    )


async def record_notification(
    session: AsyncSession, notification_id: str, event_type: str, subject: str, now: datetime
) -> bool:
    return await repository.record_notification(session, notification_id, event_type, subject, now)


# --- what the member sees ----------------------------------------------------------------------------


def summarise(payments: Sequence[Payment], refunds: Sequence[PaymentRefund]) -> PaymentSummary | None:
    succeeded = [p for p in payments if p.status == "succeeded"]
    if not payments:
        return None
    if not succeeded:
        return PaymentSummary(status="unpaid", paid_fen=0, refunded_fen=0, refunding_fen=0)
    paid = sum(p.amount_fen for p in succeeded)
    done = [r for r in refunds if r.status == "succeeded"]
    refunded = sum(r.amount_fen for r in done)
    refunding = sum(r.amount_fen for r in refunds if r.status in REFUND_OPEN)
    failed = any(r.status in REFUND_FAILED for r in refunds)
    duplicates = sum(
        r.amount_fen for r in refunds if r.cause == "duplicate_payment" and r.status not in REFUND_FAILED
    )
    paid -= duplicates
    refunded -= sum(r.amount_fen for r in done if r.cause == "duplicate_payment")
    refunding -= sum(
        r.amount_fen for r in refunds if r.cause == "duplicate_payment" and r.status in REFUND_OPEN
    )
    if refunding > 0:
        status: Literal["unpaid", "paid", "refunding", "refunded", "partly_refunded", "refund_failed"] = (
            "refunding"
        )
    elif (
        failed
        and paid - refunded > 0
        and any(r.cause != "duplicate_payment" for r in refunds if r.status in REFUND_FAILED)
    ):
        status = "refund_failed"
    elif paid > 0 and refunded >= paid:
        status = "refunded"
    elif refunded > 0:
        status = "partly_refunded"
    else:
        status = "paid"
    first_paid = min((p.paid_at for p in succeeded if p.paid_at), default=None)
    last_refund = max((r.settled_at for r in done if r.settled_at), default=None)
    return PaymentSummary(
        status=status,
        paid_fen=paid,
        refunded_fen=refunded,
        refunding_fen=refunding,
        paid_at=first_paid,
        refunded_at=last_refund,
    )


async def summaries(
    session: AsyncSession,
    *,
    order_ids: Sequence[uuid.UUID] = (),
    redemption_ids: Sequence[uuid.UUID] = (),
) -> dict[uuid.UUID, PaymentSummary]:
    """Each payable's summary (payables never paid for are absent), in two queries for a whole page."""
    payments = [
        *await repository.of_orders(session, order_ids),
        *await repository.of_redemptions(session, redemption_ids),
    ]
    refunds = await repository.refunds_of(session, [p.id for p in payments])
    by_payable: dict[uuid.UUID, list[Payment]] = {}
    for payment in payments:
        key = payment.order_id or payment.redemption_id
        assert key is not None
        by_payable.setdefault(key, []).append(payment)
    result: dict[uuid.UUID, PaymentSummary] = {}
    for key, group in by_payable.items():
        ids = {p.id for p in group}
        summary = summarise(group, [r for r in refunds if r.payment_id in ids])
        if summary is not None:
            result[key] = summary
    return result
