"""Outside feeds (``external.feed.events``): traffic violations and weather alerts.

The traffic police's violation feed and the meteorological bureau's alerts reach the platform
through an ingestion adapter that writes these events; notify-svc turns them into owner's-secretary
reminders (车主秘书). Violations are keyed by plate, weather alerts by region code.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id
from cheyou_events.event import Event


class FeedEvent(Event):
    topic: ClassVar[str] = "external.feed.events"


class TrafficViolationRecorded(FeedEvent):
    """A traffic violation (违章) was recorded against a plate."""

    event_type: ClassVar[str] = "cheyou.feed.traffic_violation_recorded.v1"
    key_field: ClassVar[str] = "plate"

    violation_id: Id
    plate: str
    occurred_at: AwareDatetime
    location: str
    description: str
    """What was done, as the traffic police word it, e.g. ``违反禁令标志指示``."""
    fine_fen: Fen
    penalty_points: int
    recorded_at: AwareDatetime


class WeatherAlertIssued(FeedEvent):
    """A weather alert (typhoon, rainstorm, road icing, heat, fog, ...) was issued for a region."""

    event_type: ClassVar[str] = "cheyou.feed.weather_alert_issued.v1"
    key_field: ClassVar[str] = "region_code"

    alert_id: Id
    region_code: str
    """GB/T 2260 code of the region the alert covers, e.g. ``350100`` (Fuzhou); members match by prefix."""
    kind: Literal["typhoon", "rainstorm", "snow", "heat", "fog", "gale", "other", "freezing"]
    """``freezing``: road icing (道路结冰), added within v1 (a widened enum: consumers deploy first)."""
    level: Literal["blue", "yellow", "orange", "red"]
    headline: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    issued_at: AwareDatetime
