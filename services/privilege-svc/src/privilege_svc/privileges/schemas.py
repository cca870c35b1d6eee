from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from cheyou_events.catalogue.fields import Tier
from pydantic import BaseModel, ConfigDict, Field

TermsMode = Literal["not_offered", "free", "discount", "fixed_price"]
Period = Literal["year", "month", "once"]


class TermsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    tier: Tier
    version: int
    mode: TermsMode
    discount_pct: int | None
    price_fen: int | None
    quota: int | None
    period: Period
    points_price: int
    refund_after_acceptance_pct: int = 100
    """A paid order cancelled after a merchant accepted it gets this share of its price back."""
    valid_from: date | None
    valid_until: date | None
    changed_by: str
    reason: str
    created_at: datetime
    superseded_at: datetime | None


class PrivilegeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    name_en: str
    category: str
    fulfilment: Literal["in_house", "merchant"]
    merchant_category: str | None
    list_price_fen: int
    required_fields: list[str]
    bookable: bool
    terms: list[TermsRead] = []


class TermsUpdate(BaseModel):
    """New terms of one privilege for one tier; they become the next version."""

    mode: TermsMode
    discount_pct: Annotated[int, Field(ge=1, le=100)] | None = None
    price_fen: Annotated[int, Field(ge=0)] | None = None
    quota: Annotated[int, Field(ge=0)] | None = None
    period: Period = "year"
    points_price: Annotated[int, Field(ge=0)] = 0
    refund_after_acceptance_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    """Share of the price refunded when a paid order is cancelled after a merchant accepted it (100 when
    absent)."""
    valid_from: date | None = None
    valid_until: date | None = None
    reason: Annotated[str, Field(min_length=2, max_length=500)]
