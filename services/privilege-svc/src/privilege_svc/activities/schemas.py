from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from cheyou_events.catalogue.fields import Tier
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

ActivityKind = Literal[
    "insurance_lecture",
    "car_maintenance",
    "home_cleaning",
    "self_drive_tour",
    "photography_class",
    "fitness",
    "ball_game",
    "singles_party",
    "family_carnival",
    "inspection_session",
    "traffic_safety",
    "charity",
    "lottery",
    "movie",
    "flash_sale",
    "other",
]
SignupStatus = Literal["confirmed", "waitlisted", "attended", "cancelled"]


class ActivityCreate(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=128)]
    kind: ActivityKind
    description: Annotated[str, Field(max_length=4000)] = ""
    place: Annotated[str, Field(min_length=1, max_length=200)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    signup_closes_at: AwareDatetime | None = None
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    target_tiers: list[Tier] = []
    interests: list[Annotated[str, Field(min_length=1, max_length=32)]] = []
    points_price: Annotated[int, Field(ge=0)] = 0
    points_reward: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _times(self) -> ActivityCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: must be after starts_at")
        return self


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    kind: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    signup_closes_at: datetime | None
    capacity: int
    target_tiers: list[str]
    interests: list[str]
    points_price: int
    points_reward: int | None
    status: Literal["open", "closed", "cancelled"]
    created_at: datetime


class SignupCreate(BaseModel):
    party_size: Annotated[int, Field(ge=1, le=10)] = 1
    join_waitlist: bool = False
    """When the activity is full: queue (true) or refuse (false, the default)."""


class SignupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    activity_id: uuid.UUID
    member_id: str
    party_size: int
    status: SignupStatus
    created_at: datetime
    confirmed_at: datetime | None
    checked_in_at: datetime | None


class CheckInCreate(BaseModel):
    code: Annotated[str, Field(min_length=10, max_length=200)]


class QrRead(BaseModel):
    code: str
    """What the member's QR code encodes; staff scan it to check the member in."""
    svg: str


class ActivityStatsRead(BaseModel):
    activity_id: uuid.UUID
    title: str
    kind: str
    starts_at: datetime
    capacity: int
    seats_taken: int
    waitlisted: int
    attended_people: int
    cancelled: int


class StatsRead(BaseModel):
    since: datetime
    until: datetime
    activities: list[ActivityStatsRead]
    participations: int
    """People who attended (party sizes summed), the seed's "2,649 participations" measure."""
