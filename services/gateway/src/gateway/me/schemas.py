from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Part(BaseModel, Generic[T]):
    """One part of the page: its data, or why it is missing (the rest of the page still answers)."""

    available: bool
    data: T | None = None
    error: str | None = None


class Profile(BaseModel):
    model_config = ConfigDict(extra="allow")

    member_id: uuid.UUID
    tier: str
    status: str
    name_masked: str | None = None
    phone_masked: str | None = None
    manager_id: str | None = None
    joined_at: str | None = None
    referral_code: str | None = None
    """The code a member gives friends; their registration with it earns the member referral points."""


class Barcode(BaseModel):
    format: str
    value: str


class Card(BaseModel):
    qr_png_base64: str
    barcode: Barcode


class Points(BaseModel):
    balance: int
    soonest_expiry: dict[str, Any] | None = None
    expiring: list[dict[str, Any]] = []


class MeRead(BaseModel):
    member_id: uuid.UUID
    profile: Part[Profile]
    card: Part[Card]
    points: Part[Points]
    entitlements: Part[list[dict[str, Any]]]
    recent_orders: Part[list[dict[str, Any]]]
    open_claims: Part[list[dict[str, Any]]]
    coupons: Part[list[dict[str, Any]]]
    unread_messages: Part[int]
