from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from merchant_svc.fulfilments.models import FulfilmentStatus


class FulfilmentRead(BaseModel):
    """An order as ops see it: the whole timeline."""

    model_config = ConfigDict(from_attributes=True)

    order_id: str
    member_id: str
    privilege_id: str
    city_code: str
    status: FulfilmentStatus
    merchant_id: uuid.UUID | None
    service_point_id: uuid.UUID | None = None
    rejected_by: list[uuid.UUID]
    expired_for: list[uuid.UUID]
    reason: str | None
    details: dict[str, Any]
    evidence: dict[str, Any] | None
    unit_price_fen: int | None
    appointment_at: datetime | None
    requested_at: datetime
    dispatched_at: datetime | None
    accept_due_at: datetime | None
    accepted_at: datetime | None
    complete_due_at: datetime | None
    arrived_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    failed_at: datetime | None
    cancelled_at: datetime | None


class HistoryEntryRead(BaseModel):
    """One step of an order: ``merchant_user_id``/``api_key_id`` name whose key made a callback."""

    model_config = ConfigDict(from_attributes=True)

    action: str
    at: datetime
    merchant_id: uuid.UUID | None
    merchant_user_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    actor: str
    note: str | None


class FulfilmentDetail(FulfilmentRead):
    history: list[HistoryEntryRead]


class MerchantOrderRead(BaseModel):
    """An order as its merchant sees it (no member identity beyond what the service needs)."""

    model_config = ConfigDict(from_attributes=True)

    order_id: str
    privilege_id: str
    city_code: str
    status: str
    service_point_id: uuid.UUID | None = Field(default=None, description="Where to serve it.")
    details: dict[str, Any]
    evidence: dict[str, Any] | None
    unit_price_fen: int | None
    appointment_at: datetime | None
    dispatched_at: datetime | None
    accept_due_at: datetime | None
    accepted_at: datetime | None
    complete_due_at: datetime | None
    arrived_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    failed_at: datetime | None


class Accept(BaseModel):
    appointment_at: datetime | None = Field(default=None, description="When the merchant will be there.")


class Reject(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class Complete(BaseModel):
    notes: Annotated[str, Field(min_length=1, max_length=2000)]
    photos: Annotated[list[AnyHttpUrl], Field(max_length=20)] = Field(default_factory=list)


class Fail(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class MerchantOrderDetail(MerchantOrderRead):
    history: list[HistoryEntryRead] = Field(description="The steps taken at this merchant.")
