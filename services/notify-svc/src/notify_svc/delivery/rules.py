"""When a message may go out: quiet hours for marketing, per-member daily limits (from the settings:
``Settings.delivery_rules``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SERVICE = "service"
HELD_CATEGORIES = frozenset({"marketing"})
LIMITED_CATEGORIES = frozenset({"marketing", "reminder"})


@dataclass(frozen=True)
class DeliveryRules:
    timezone: str = "Asia/Shanghai"
    quiet_start_hour: int = 21
    quiet_end_hour: int = 8
    member_daily_limit: int = 5

    def hold_until(self, category: str, now: datetime, hold: bool | None = None) -> datetime:
        """``now``, or the end of quiet hours when ``now`` is inside them and the message is held there
        (``hold``; by default: marketing is held, service messages and reminders are not)."""
        if hold is None:
            hold = category in HELD_CATEGORIES
        if not hold or self.quiet_start_hour == self.quiet_end_hour:
            return now
        local = now.astimezone(ZoneInfo(self.timezone))
        start, end = self.quiet_start_hour, self.quiet_end_hour
        quiet = (local.hour >= start or local.hour < end) if start > end else (start <= local.hour < end)
        if not quiet:
            return now
        morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
        if morning <= local:
            morning += timedelta(days=1)
        return morning

    def day_key(self, now: datetime) -> str:
        return now.astimezone(ZoneInfo(self.timezone)).strftime("%Y%m%d")
