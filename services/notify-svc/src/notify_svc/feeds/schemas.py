"""The providers' item formats (what they push and what their pull API answers) and the ops views."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from cheyou_kit.pagination import Page
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

Provider = Literal["violations", "weather"]
ItemStatus = Literal["matched", "skipped"]
ProviderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.:\-]+$")]

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"  # I and O are never used on plates
PLATE = re.compile(
    rf"^[{_PROVINCES}][{_LETTER}]"
    rf"(?:[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]"  # ordinary: 5 characters
    rf"|[DF][{_LETTER}0-9][0-9]{{4}}"  # new energy, small car: D/F then 5
    rf"|[0-9]{{5}}[DF])$"  # new energy, large vehicle: 5 digits then D/F
)


class ViolationItem(BaseModel):
    """A traffic violation (违章) as the traffic-police data provider sends it, keyed by plate."""

    model_config = ConfigDict(extra="ignore")

    id: ProviderId
    plate: str = Field(max_length=16, examples=["闽A12345"])
    occurred_at: AwareDatetime
    location: str = Field(min_length=1, max_length=128, examples=["福州市鼓楼区五四路与东街口交叉口"])
    offence: str = Field(min_length=1, max_length=200, examples=["违反禁令标志指示"])
    offence_code: str | None = Field(default=None, max_length=16, examples=["1344"])
    fine_fen: int = Field(ge=0, le=10_000_000, description="The fine in fen.")
    points: int = Field(ge=0, le=12, description="Penalty points (a licence has 12 a year).")
    recorded_at: AwareDatetime | None = None

    @field_validator("plate")
    @classmethod
    def _plate(cls, value: str) -> str:
        plate = re.sub(r"[\s·•\-]", "", value).upper()
        if not PLATE.match(plate):
            raise ValueError("not a mainland plate (e.g. 闽A12345, or 闽AD12345 for new energy)")
        return plate


WeatherKind = Literal["typhoon", "rainstorm", "freezing", "snow", "heat", "fog", "gale", "other"]


class WeatherItem(BaseModel):
    """A weather alert (预警信号) as the meteorological provider sends it, keyed by region.

    ``level`` is the national grade: 1 (Ⅰ级, red) is the most severe, 4 (Ⅳ级, blue) the least."""

    model_config = ConfigDict(extra="ignore")

    id: ProviderId
    region_code: str = Field(pattern=r"^[1-8]\d{5}$", description="GB/T 2260 code, e.g. 350100 (Fuzhou).")
    kind: WeatherKind
    level: int = Field(ge=1, le=4)
    headline: str = Field(min_length=1, max_length=200, examples=["福州市气象台发布台风橙色预警信号"])
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    issued_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> WeatherItem:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class ViolationPush(BaseModel):
    """A signed push of the violation provider: at most 40 items, so a push stays under the gateway's 16 KiB
    for callers without credentials."""

    items: list[ViolationItem] = Field(min_length=1, max_length=40)


class WeatherPush(BaseModel):
    items: list[WeatherItem] = Field(min_length=1, max_length=40)


class PushAccepted(BaseModel):
    received: int
    matched: int
    skipped: int
    duplicates: int
    """Items recorded before (the same provider id): nothing changes."""
    repeated_delivery: bool = False
    """This push (its ``webhook-id``) was accepted before: nothing was recorded again."""


class FeedItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    provider: Provider
    provider_item_id: str
    kind: str
    subject: str
    via: str
    status: ItemStatus
    reason: str | None
    matched: int
    event_id: uuid.UUID | None
    received_at: datetime
    decided_at: datetime
    replays: int
    replayed_by: str | None
    payload: dict[str, Any]


FeedItemPage = Page[FeedItemRead]


class ReplayRequest(BaseModel):
    """Replay the listed items, or the items of a provider (with a status) received in a time window."""

    item_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    provider: Provider | None = None
    status: ItemStatus | None = None
    received_from: AwareDatetime | None = None
    received_to: AwareDatetime | None = None
    limit: int = Field(default=500, ge=1, le=1000, description="At most this many items of a window.")

    @model_validator(mode="after")
    def _one_way(self) -> ReplayRequest:
        window = self.provider is not None or self.received_from is not None or self.received_to is not None
        if bool(self.item_ids) == window:
            raise ValueError("name item_ids, or a provider and a window (received_from, received_to)")
        if window and (self.provider is None or self.received_from is None):
            raise ValueError("a window needs a provider and received_from")
        if self.received_from and self.received_to and self.received_to <= self.received_from:
            raise ValueError("received_to must be after received_from")
        return self


class ReplayResult(BaseModel):
    replayed: int
    matched: int
    skipped: int
    items: list[FeedItemRead]


class ProviderRead(BaseModel):
    provider: Provider
    kind: str
    pull_url: str | None
    """Set for a provider that is pulled (it is pushed to us otherwise, or as well)."""
    cursor: str | None
    failures: int
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    items_pulled: int
    counts: dict[str, int]
    """Items recorded, by status (``matched``, ``skipped``)."""


class ProvidersRead(BaseModel):
    items: list[ProviderRead]


class PollResult(BaseModel):
    provider: Provider
    pulled: int
    failures: int
    next_poll_at: datetime | None
    last_error: str | None
