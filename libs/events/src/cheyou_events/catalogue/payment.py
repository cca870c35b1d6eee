"""Payment events: every movement of a member's money through WeChat Pay, published by privilege-svc (the
service that owns the orders and the mall) on ``privilege.events``.

A payment pays for one service order (``order_id``) or one mall redemption (``redemption_id``). Amounts
are integer fen. ``payment_id`` is privilege-svc's; ``out_trade_no`` is the number WeChat Pay knows it by
and ``transaction_id`` WeChat Pay's own, as both appear in the day's trade bill.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id
from cheyou_events.event import Event


class PaymentEvent(Event):
    topic: ClassVar[str] = "privilege.events"


RefundCause = Literal["cancelled", "late_payment", "duplicate_payment", "ops"]
"""Why money goes back: the member (or ops) cancelled a paid order, the payment arrived after the order
expired or was cancelled, or the thing was already paid by another payment."""


class PaymentSucceeded(PaymentEvent):
    """WeChat Pay confirmed (by a verified notification or a query) that the member paid."""

    event_type: ClassVar[str] = "cheyou.payment.succeeded.v1"

    payment_id: Id
    member_id: Id
    order_id: Id | None = None
    redemption_id: Id | None = None
    out_trade_no: Id
    transaction_id: Id
    amount_fen: Fen
    channel: Literal["jsapi", "h5"]
    paid_at: AwareDatetime


class PaymentClosed(PaymentEvent):
    """An unpaid payment was closed at WeChat Pay: the order expired or was cancelled first."""

    event_type: ClassVar[str] = "cheyou.payment.closed.v1"

    payment_id: Id
    member_id: Id
    order_id: Id | None = None
    redemption_id: Id | None = None
    out_trade_no: Id
    amount_fen: Fen
    reason: Literal["expired", "cancelled", "paid_otherwise"]
    closed_at: AwareDatetime


class PaymentRefundRequested(PaymentEvent):
    """Money is to go back to the member; WeChat Pay reports the outcome later."""

    event_type: ClassVar[str] = "cheyou.payment.refund_requested.v1"

    refund_id: Id
    payment_id: Id
    member_id: Id
    order_id: Id | None = None
    redemption_id: Id | None = None
    out_refund_no: Id
    amount_fen: Fen
    cause: RefundCause
    requested_at: AwareDatetime


class PaymentRefunded(PaymentEvent):
    """The refund reached the member (WeChat Pay's ``REFUND.SUCCESS``, by notification or query)."""

    event_type: ClassVar[str] = "cheyou.payment.refunded.v1"

    refund_id: Id
    payment_id: Id
    member_id: Id
    order_id: Id | None = None
    redemption_id: Id | None = None
    out_refund_no: Id
    amount_fen: Fen
    refunded_at: AwareDatetime


class PaymentRefundFailed(PaymentEvent):
    """WeChat Pay closed the refund or could not pay it out (``REFUND.CLOSED`` / ``REFUND.ABNORMAL``):
    the money did not go back; ops must act (the member's account may be closed)."""

    event_type: ClassVar[str] = "cheyou.payment.refund_failed.v1"

    refund_id: Id
    payment_id: Id
    member_id: Id
    order_id: Id | None = None
    redemption_id: Id | None = None
    out_refund_no: Id
    amount_fen: Fen
    status: Literal["closed", "abnormal"]
    failed_at: AwareDatetime
