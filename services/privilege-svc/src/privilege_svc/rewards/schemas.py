from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from cheyou_events.catalogue.fields import Tier
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, computed_field, model_validator

from privilege_svc.payments.schemas import PaymentSummary

RewardKind = Literal["goods", "service", "coupon"]
RedemptionStatus = Literal[
    "awaiting_payment", "redeemed", "shipped", "delivered", "cancelled", "refunded", "expired"
]
RefundReason = Literal["unknown_batch", "batch_closed", "batch_exhausted", "member_limit"]
"""Why merchant-svc could not issue a redeemed coupon (``merchant.coupon_issue_refused``)."""
REFUND_NOTES: dict[str, str] = {
    "unknown_batch": "商户没有这批优惠券，积分已退回",
    "batch_closed": "这批优惠券已停止发放，积分已退回",
    "batch_exhausted": "这批优惠券已发完，积分已退回",
    "member_limit": "您领取这批优惠券已达上限，积分已退回",
}
"""What a member reads for each refund reason."""


class RewardCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=128)]
    kind: RewardKind
    description: Annotated[str, Field(max_length=2000)] = ""
    merchant_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    coupon_batch_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """Coupons: the merchant-svc coupon batch each redemption issues a coupon from."""
    tier_prices: dict[Tier, Annotated[int, Field(ge=1)]]
    stock: Annotated[int, Field(ge=0, le=10_000_000)]
    per_member_limit: Annotated[int, Field(ge=1)] | None = None
    visible_from: AwareDatetime | None = None
    visible_until: AwareDatetime | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    cash_price_fen: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    """Points + cash: fen paid with WeChat Pay on top of the points (absent or 0: points only)."""

    @model_validator(mode="after")
    def _windows(self) -> RewardCreate:
        if self.kind == "coupon" and (self.merchant_id is None or self.coupon_batch_id is None):
            raise ValueError("coupon_batch_id: a coupon names its merchant and merchant-svc coupon batch")
        if self.kind != "coupon" and self.coupon_batch_id is not None:
            raise ValueError("coupon_batch_id: only coupons come from a coupon batch")
        if not self.tier_prices:
            raise ValueError("tier_prices: at least one tier must be able to redeem it")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at: must be after starts_at")
        if self.visible_from and self.visible_until and self.visible_until <= self.visible_from:
            raise ValueError("visible_until: must be after visible_from")
        return self


class FlashSaleCreate(RewardCreate):
    """A flash sale: limited stock opening at one instant, usually one per member."""

    starts_at: AwareDatetime
    per_member_limit: Annotated[int, Field(ge=1)] | None = 1


class RewardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: RewardKind
    description: str
    merchant_id: str | None
    coupon_batch_id: str | None
    tier_prices: dict[str, int]
    stock: int
    initial_stock: int
    per_member_limit: int | None
    visible_from: datetime | None
    visible_until: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    flash_sale: bool
    created_at: datetime
    cash_price_fen: int = 0


class RedemptionCreate(BaseModel):
    delivery_address: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    """Required for goods."""


class RedemptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reward_id: uuid.UUID
    member_id: str
    tier: str
    points: int
    status: RedemptionStatus
    delivery_address: str | None
    tracking_no: str | None
    refund_reason: RefundReason | None
    """With ``status == "refunded"``: why the coupon could not be issued (the points came back)."""
    created_at: datetime
    updated_at: datetime
    cash_fen: int = 0
    """Points + cash: the cash part, paid with WeChat Pay."""
    payment_due_at: datetime | None = None
    """``awaiting_payment``: when the points and the unit go back unless paid."""
    paid_at: datetime | None = None
    payment: PaymentSummary | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refund_note(self) -> str | None:
        """The refund reason as the member reads it."""
        return None if self.refund_reason is None else REFUND_NOTES[self.refund_reason]


class RedemptionUpdate(BaseModel):
    """Ops: delivery progress of goods, or cancelling (points and stock go back)."""

    status: Literal["shipped", "delivered", "cancelled"]
    tracking_no: Annotated[str, Field(min_length=1, max_length=64)] | None = None
