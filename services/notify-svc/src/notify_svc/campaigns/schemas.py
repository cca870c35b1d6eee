from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from cheyou_kit.pagination import Page
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from notify_svc.templates.schemas import Channel


class Segment(BaseModel):
    """Who: every criterion given must hold (lists match any of their values); none given = everyone."""

    model_config = ConfigDict(extra="forbid")

    tiers: list[Literal["prospective", "ordinary", "three_star", "four_star", "five_star"]] = []
    interests: list[str] = []
    genders: list[Literal["male", "female"]] = []
    region_codes: list[str] = Field(default=[], description="Region code prefixes, e.g. 3501 for Fuzhou.")
    join_channels: list[str] = []
    min_activity_signups: int | None = Field(default=None, ge=1)
    active_since: AwareDatetime | None = None

    @property
    def unbounded(self) -> bool:
        return not any(self.model_dump(exclude_none=True, exclude_defaults=True).values())


class AudiencePreview(BaseModel):
    segment: Segment


class AudienceSize(BaseModel):
    size: int
    unbounded: bool


class CampaignCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    template_code: str = Field(min_length=1, max_length=64)
    variables: dict[str, Any] = {}
    channels: list[Channel] = Field(default=["wechat", "inbox"], min_length=1)
    segment: Segment
    throttle_per_second: int = Field(default=50, ge=1, le=5000)
    scheduled_at: AwareDatetime | None = None
    confirm_unbounded: bool = False
    confirm_empty: bool = False


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    template_code: str
    channels: list[str]
    segment: dict[str, Any]
    throttle_per_second: int
    status: str
    scheduled_at: datetime
    audience_size: int
    created_by: str
    started_at: datetime | None
    completed_at: datetime | None
    progress: dict[str, int] = {}


CampaignPage = Page[CampaignRead]
