"""The club's days are Beijing days (UTC+8, no daylight saving): figures and reports count by them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Date, cast, func
from sqlalchemy.sql.elements import ColumnElement

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(CHINA).date()


def day_of(column: Any) -> ColumnElement[date]:
    """The Beijing day of a ``timestamptz`` column, in SQL."""
    return cast(func.timezone("Asia/Shanghai", column), Date)


def start_of(day: date) -> datetime:
    """The first instant of a Beijing day."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA)
