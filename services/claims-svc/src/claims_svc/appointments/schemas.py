from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class SlotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    site_name: str = Field(min_length=1, max_length=80)
    site_address: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SlotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    site_code: str
    site_name: str
    site_address: str
    starts_at: datetime
    ends_at: datetime


class AppointmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim_id: uuid.UUID
    slot_id: uuid.UUID


class AppointmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slot_id: uuid.UUID


class AppointmentRead(BaseModel):
    id: uuid.UUID
    claim_id: uuid.UUID
    status: str
    booked_at: datetime
    cancelled_at: datetime | None
    slot: SlotRead
