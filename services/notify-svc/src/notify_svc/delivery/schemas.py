from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.pagination import Page
from pydantic import BaseModel, ConfigDict


class SmsReceipt(BaseModel):
    """One delivery receipt as the SMS provider pushes it."""

    model_config = ConfigDict(extra="allow")

    biz_id: str | None = None
    out_id: str | None = None
    success: bool
    err_code: str | None = None
    phone_number: str | None = None
    receive_time: str | None = None


class ReceiptAnswer(BaseModel):
    code: int = 0
    msg: str = "成功"


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    status: str
    provider_id: str | None
    error: str | None
    fallback_to: str | None
    detail: str | None
    at: datetime


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    fact_id: str
    template_code: str
    category: str
    channel: str
    status: str
    attempts: int
    provider_id: str | None
    error: str | None
    fallback_from: str | None
    created_at: datetime
    log: list[AttemptRead] = []


MessagePage = Page[MessageRead]
