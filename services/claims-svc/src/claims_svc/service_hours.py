"""Online survey service hours (every day, 08:00–20:00 by default): when will a surveyor look?"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def expected_surveyor_time(now: datetime, opens: time, closes: time, timezone: str) -> tuple[bool, datetime]:
    """``(True, now)`` within service hours; otherwise ``(False, the next opening)``."""
    local = now.astimezone(ZoneInfo(timezone))
    if opens <= local.time() < closes:
        return True, now
    day = local.date() if local.time() < opens else local.date() + timedelta(days=1)
    return False, datetime.combine(day, opens, tzinfo=local.tzinfo)
