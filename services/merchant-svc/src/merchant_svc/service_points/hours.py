"""Opening hours in Asia/Shanghai, as minutes of the week (Monday 00:00 = 0 … Sunday 24:00 = 10,080).

A day's hours ``{day, opens, closes}`` become one interval ``[start, end)`` of the week; a closing time at
or before the opening time runs past midnight into the next day (a designated-driving desk open 20:00 to
02:00), and an interval that runs past Sunday midnight is split in two at the week's end. ``closes``
``24:00`` means midnight at the end of the day. Public holidays are not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY_MIN = 24 * 60
WEEK_MIN = 7 * DAY_MIN


def minutes(hhmm: str) -> int:
    """``"08:30"`` → 510; ``"24:00"`` → 1440."""
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def week_intervals(days: Iterable[tuple[int, str, str]]) -> list[tuple[int, int]]:
    """``(ISO weekday 1–7, opens, closes)`` entries → sorted, merged ``[start, end)`` minutes of the week."""
    raw: list[tuple[int, int]] = []
    for day, opens, closes in days:
        start = (day - 1) * DAY_MIN + minutes(opens)
        length = minutes(closes) - minutes(opens)
        if length <= 0:
            length += DAY_MIN  # past midnight
        end = start + length
        if end > WEEK_MIN:
            raw.extend([(start, WEEK_MIN), (0, end - WEEK_MIN)])
        else:
            raw.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def minute_of_week(at: datetime) -> int:
    """Where ``at`` falls in the week in Shanghai (an aware datetime)."""
    local = at.astimezone(SHANGHAI)
    return (local.isoweekday() - 1) * DAY_MIN + local.hour * 60 + local.minute


def is_open(intervals: Iterable[tuple[int, int]], at: datetime) -> bool:
    minute = minute_of_week(at)
    return any(start <= minute < end for start, end in intervals)
