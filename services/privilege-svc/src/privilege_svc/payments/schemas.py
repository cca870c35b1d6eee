from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator


class PaymentSummary(BaseModel):
    """Where the money of one order or redemption stands."""

    status: Literal["unpaid", "paid", "refunding", "refunded", "partly_refunded", "refund_failed"]
    paid_fen: int
    """Paid and kept (a duplicate payment, which goes back, is not counted)."""
    refunded_fen: int
    refunding_fen: int
    paid_at: datetime | None = None
    refunded_at: datetime | None = None


class PaymentAttemptCreate(BaseModel):
    """Pay for one awaiting order or points + cash redemption. ``jsapi`` inside WeChat (the answer's
    ``bridge`` goes to ``WeixinJSBridge.invoke('getBrandWCPayRequest', bridge, …)``); ``h5`` in any other
    phone browser (send it to ``h5_url`` with ``&redirect_url=`` + the page to come back to)."""

    order_id: uuid.UUID | None = None
    redemption_id: uuid.UUID | None = None
    channel: Literal["jsapi", "h5"]

    @model_validator(mode="after")
    def _one_payable(self) -> PaymentAttemptCreate:
        if (self.order_id is None) == (self.redemption_id is None):
            raise ValueError("order_id: name an order or a redemption (one of them)")
        return self


class BridgeParameters(BaseModel):
    """The WeChat bridge's ``getBrandWCPayRequest`` / JS-SDK ``chooseWXPay`` parameters, signed (RSA)."""

    appId: str
    timeStamp: str
    nonceStr: str
    package: str
    signType: str
    paySign: str


class PaymentStarted(BaseModel):
    payment_id: uuid.UUID
    channel: Literal["jsapi", "h5"]
    amount_fen: int
    expires_at: datetime
    bridge: BridgeParameters | None = None
    h5_url: str | None = None


class RefundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    amount_fen: int
    cause: str
    status: Literal["pending", "processing", "succeeded", "closed", "abnormal"]
    requested_at: datetime
    settled_at: datetime | None


class PaymentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    member_id: str
    order_id: uuid.UUID | None
    redemption_id: uuid.UUID | None
    out_trade_no: str
    transaction_id: str | None
    channel: Literal["jsapi", "h5"]
    status: Literal["pending", "succeeded", "closed"]
    amount_fen: int
    expires_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    refunds: list[RefundRead] = []


class ReconcileRequest(BaseModel):
    bill_date: date
    """The day (Asia/Shanghai) to match against WeChat Pay's trade and refund bills."""


class DifferenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: Literal["trade", "refund"]
    kind: Literal["missing_ours", "missing_theirs", "amount_mismatch"]
    out_trade_no: str
    out_refund_no: str | None
    ours_fen: int | None
    theirs_fen: int | None


class ReconciliationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    bill_date: date
    status: Literal["clean", "differences"]
    trade_lines: int
    refund_lines: int
    matched: int
    differences: int
    run_by: str
    reconciled_at: datetime
    items: list[DifferenceRead] = []
