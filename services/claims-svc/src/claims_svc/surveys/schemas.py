from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PhotoRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slot: str
    round: int
    content_type: str
    size_bytes: int
    width: int
    height: int
    taken_at: datetime | None
    gps_latitude: float | None
    gps_longitude: float | None
    flags: list[str]
    uploaded_at: datetime


class SlotRead(BaseModel):
    code: str
    label: str
    instruction: str
    required: bool
    reshoot_requested: bool
    photo: PhotoRead | None


class SurveyRead(BaseModel):
    """The member's guided survey: the shot list with what is done, and when a surveyor will look."""

    claim_id: uuid.UUID
    claim_status: str
    accident_type: str
    slots: list[SlotRead]
    missing_required: list[str]
    reshoot_note: str | None
    service_hours: str
    within_service_hours: bool
    expected_by: datetime


class SurveyTaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    claim_id: uuid.UUID
    kind: str
    status: str
    round: int
    surveyor_id: str | None
    queued_at: datetime
    expected_by: datetime
    taken_at: datetime | None
    reshoot_slots: list[str]
    reshoot_note: str | None


class SurveyCaseRead(BaseModel):
    """What a surveyor sees of a survey: the task, the claim's key facts, and the current photos."""

    task: SurveyTaskRead
    claim_no: str
    claim_status: str
    accident_type: str
    loss_at: datetime
    address: str
    latitude: float
    longitude: float
    estimated_loss_fen: int | None
    on_site_reasons: list[str]
    photos: list[PhotoRead]


class ConfirmationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: int = Field(ge=0, le=10_000_000_000, description="The confirmed loss, in fen.")
    note: str | None = Field(default=None, max_length=1000)


class ReshootCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slots: list[str] = Field(min_length=1, max_length=20)
    note: str = Field(min_length=1, max_length=1000)
