from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from merchant_svc.coupons.models import CouponKind, CouponStatus


class BatchCreate(BaseModel):
    merchant_id: uuid.UUID
    title: Annotated[str, Field(min_length=1, max_length=120)]
    kind: CouponKind
    amount_off_fen: Annotated[int | None, Field(gt=0)] = None
    percent_off: Annotated[int | None, Field(gt=0, lt=100)] = None
    service: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    per_member_limit: Annotated[int, Field(ge=1, le=100)] = 1

    @model_validator(mode="after")
    def _value(self) -> BatchCreate:
        needed = {
            CouponKind.AMOUNT_OFF: "amount_off_fen",
            CouponKind.PERCENT_OFF: "percent_off",
            CouponKind.FREE_SERVICE: "service",
        }[self.kind]
        for name in ("amount_off_fen", "percent_off", "service"):
            if (getattr(self, name) is not None) != (name == needed):
                raise ValueError(f"a {self.kind} coupon needs {needed} and no other value field")
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class BatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    title: str
    kind: CouponKind
    amount_off_fen: int | None
    percent_off: int | None
    service: str | None
    valid_from: datetime
    valid_until: datetime
    quantity: int
    issued_count: int
    per_member_limit: int


class Issue(BaseModel):
    member_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000)]
    source: Annotated[str, Field(pattern="^(ops|points_mall|campaign)$")] = "ops"


class CouponRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    batch_id: uuid.UUID
    merchant_id: uuid.UUID
    member_id: str
    code: str
    status: CouponStatus
    source: str
    issued_at: datetime
    redeemed_at: datetime | None


class MemberCoupon(CouponRead):
    title: str
    kind: CouponKind
    amount_off_fen: int | None
    percent_off: int | None
    service: str | None
    valid_from: datetime
    valid_until: datetime


class Redeem(BaseModel):
    code: Annotated[
        str, Field(min_length=4, max_length=20, description="As printed or read from the QR code.")
    ]


class ReconciliationLine(BaseModel):
    batch_id: uuid.UUID
    title: str
    kind: CouponKind
    issued: int
    redeemed: int
    amount_off_fen: int = Field(description="Face value redeemed (amount-off coupons).")


class Reconciliation(BaseModel):
    merchant_id: uuid.UUID
    since: datetime
    until: datetime
    lines: list[ReconciliationLine]
    redeemed: int
    amount_off_fen: int


class MallRedemptionRead(BaseModel):
    """A points-mall coupon redemption as merchant-svc handled it."""

    model_config = ConfigDict(from_attributes=True)

    redemption_id: str
    member_id: str
    batch_id: str
    coupon_id: uuid.UUID | None
    refused: str | None = Field(description="unknown_batch, batch_closed, batch_exhausted or member_limit.")
    redeemed_at: datetime
    handled_at: datetime
