from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from privilege_svc.payments.schemas import PaymentSummary

OrderStatus = Literal[
    "awaiting_payment",
    "requested",
    "accepted",
    "in_service",
    "completed",
    "cancelled",
    "unplaceable",
    "expired",
]


class OrderCreate(BaseModel):
    """A booking: the privilege and what its fulfilment needs (the catalogue lists each privilege's
    ``required_fields``)."""

    privilege_code: Annotated[str, Field(min_length=1, max_length=64)]
    city_code: Annotated[str, Field(min_length=1, max_length=16)] = "350100"
    """Administrative division code; Fuzhou by default."""
    appointment_at: AwareDatetime | None = None
    pickup_address: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    destination_address: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    vehicle_plate: Annotated[str, Field(pattern=r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$")] | None = None
    flight_no: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$")] | None = None
    notes: Annotated[str, Field(max_length=500)] | None = None
    service_point_id: uuid.UUID | None = Field(
        default=None, description="Where the member wants it done (a service point found nearby)."
    )


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    member_id: str
    privilege_code: str
    tier: str
    status: OrderStatus
    price_fen: int
    points_held: int
    city_code: str
    appointment_at: datetime | None
    pickup_address: str | None
    destination_address: str | None
    vehicle_plate: str | None
    flight_no: str | None
    notes: str | None
    service_point_id: str | None = None
    merchant_id: str | None
    last_rejection: str | None
    created_at: datetime
    accepted_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    rating_stars: int | None
    rating_comment: str | None
    payment_due_at: datetime | None = None
    """``awaiting_payment``: when the order expires unless paid."""
    paid_at: datetime | None = None
    payment: PaymentSummary | None = None
    """Where its money stands (paid, refunding, refunded…); absent for an order no payment was started for."""


class CancelRequest(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)] = "cancelled by the member"


class RatingCreate(BaseModel):
    stars: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=1000)] | None = None


class ComplaintCreate(BaseModel):
    category: Literal["no_show", "quality", "attitude", "overcharge", "other"]
    description: Annotated[str, Field(min_length=2, max_length=2000)]


class ComplaintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    order_id: uuid.UUID
    member_id: str
    merchant_id: str
    category: str
    description: str
    filed_at: datetime
