from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field


class WebhookEventType(StrEnum):
    """What merchants can subscribe to."""

    ORDER_DISPATCHED = "order.dispatched"
    ORDER_CANCELLED = "order.cancelled"


class EndpointStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


Url = Annotated[AnyHttpUrl, Field(description="http(s) only; no private/loopback address in production")]


class EndpointCreate(BaseModel):
    merchant_id: uuid.UUID
    url: Url
    description: Annotated[str | None, Field(max_length=500)] = None
    event_types: list[WebhookEventType] = Field(default_factory=list, description="Empty: every type.")
    max_in_flight: Annotated[int | None, Field(ge=1, le=64)] = None


class EndpointUpdate(BaseModel):
    url: Url | None = None
    description: Annotated[str | None, Field(max_length=500)] = None
    event_types: list[WebhookEventType] | None = None
    max_in_flight: Annotated[int | None, Field(ge=1, le=64)] = None


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    status: EndpointStatus
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    max_in_flight: int
    created_at: datetime


class SecretRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    secret: str
    created_at: datetime
    expires_at: datetime | None


class EndpointCreated(EndpointRead):
    secret: str = Field(
        description="The signing secret (whsec_…); also at GET /webhook-endpoints/{id}/secrets."
    )


class SecretRotate(BaseModel):
    overlap_seconds: Annotated[float | None, Field(ge=0, le=7 * 86_400)] = None


class Recover(BaseModel):
    since: datetime


class Redeliver(BaseModel):
    endpoint_id: uuid.UUID | None = None


class Requeued(BaseModel):
    requeued: int


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: str
    endpoint_id: uuid.UUID
    attempt_no: int
    attempted_at: datetime
    outcome: str
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    endpoint_id: uuid.UUID
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    merchant_id: uuid.UUID
    event_type: str
    order_id: str | None
    created_at: datetime
    payload: str


class MessageDetail(MessageRead):
    deliveries: list[DeliveryRead]
    attempts: list[AttemptRead]
