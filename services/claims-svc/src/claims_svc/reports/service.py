"""Claim figures for ops (the seed's 快捷理赔 count and how claims fare), as JSON rows or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.claims.lifecycle import ClaimStatus
from claims_svc.reports import repository
from claims_svc.reports.errors import InvalidPeriod
from claims_svc.reports.schemas import ROUTES, ClaimFigures, Figures, Grouping

MAX_DAYS = 3 * 366
"""The longest period one request may cover."""

_STATUS_ORDER = {status.value: i for i, status in enumerate(ClaimStatus)}


def _first_of_month(day: date, months_back: int = 0) -> date:
    months = day.year * 12 + day.month - 1 - months_back
    return date(months // 12, months % 12 + 1, 1)


def period(
    since: date | datetime | None, until: date | datetime | None, *, timezone: str, now: datetime
) -> tuple[datetime, datetime]:
    """``[start, end)`` as local instants. A date is a whole local day (``until`` included); a date-time is
    that instant (``until`` excluded). Defaults: up to today, from the first of the month 11 months before
    the last day (a year of whole months)."""
    zone = ZoneInfo(timezone)
    if isinstance(until, datetime):
        end = until.astimezone(zone)
    else:
        end = datetime.combine((until or now.astimezone(zone).date()) + timedelta(days=1), time(), zone)
    if isinstance(since, datetime):
        start = since.astimezone(zone)
    else:
        last_day = (end - timedelta(microseconds=1)).date()
        start = datetime.combine(since or _first_of_month(last_day, 11), time(), zone)
    if start >= end:
        raise InvalidPeriod(
            f"'from' ({start.isoformat()}) must be before 'to' ({end.isoformat()})", field="from"
        )
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidPeriod(f"a period spans at most {MAX_DAYS} days", field="from")
    return start, end


def _figures(key: str, row: RowMapping) -> Figures:
    return Figures.model_validate({**row, "key": key})


def _empty(key: str) -> Figures:
    return Figures(
        key=key,
        reported=0,
        self_service=0,
        on_site=0,
        withdrawn=0,
        settled=0,
        photos_reshot=0,
        mean_seconds_to_settlement=None,
    )


def _period_starts(start: datetime, end: datetime, by: Grouping) -> Iterator[date]:
    """The first day of every local day or month that ``[start, end)`` touches."""
    day, last = start.date(), (end - timedelta(microseconds=1)).date()
    if by == "month":
        day, last = _first_of_month(day), _first_of_month(last)
    while day <= last:
        yield day
        day = day + timedelta(days=1) if by == "day" else _first_of_month(day, -1)


def _by_period(rows: Sequence[RowMapping], start: datetime, end: datetime, by: Grouping) -> list[Figures]:
    found = {row["key"]: row for row in rows}
    return [
        _figures(day.isoformat(), found[day]) if day in found else _empty(day.isoformat())
        for day in _period_starts(start, end, by)
    ]


async def figures(
    session: AsyncSession,
    since: date | datetime | None,
    until: date | datetime | None,
    *,
    by: Grouping | None,
    timezone: str,
    now: datetime,
) -> ClaimFigures:
    """Claims reported in the period: the total, then by status, route and on-site reason (and by day or
    month), each row with the same measures, counted as of ``now``."""
    start, end = period(since, until, timezone=timezone, now=now)
    statuses = sorted(
        await repository.by_status(session, start, end),
        key=lambda row: (_STATUS_ORDER.get(row["key"], len(_STATUS_ORDER)), row["key"]),
    )
    routes = {row["key"]: row for row in await repository.by_route(session, start, end)}
    reasons = sorted(
        await repository.by_on_site_reason(session, start, end),
        key=lambda row: (-row["reported"], row["key"]),
    )
    periods = None
    if by is not None:
        periods = _by_period(await repository.by_period(session, start, end, by, timezone), start, end, by)
    return ClaimFigures(
        since=start,
        until=end,
        as_of=now,
        total=_figures("all", await repository.total(session, start, end)),
        by_status=[_figures(row["key"], row) for row in statuses],
        by_route=[_figures(r, routes[r]) if r in routes else _empty(r) for r in ROUTES],
        by_on_site_reason=[_figures(row["key"], row) for row in reasons],
        by=by,
        by_period=periods,
    )


def csv_name(report: ClaimFigures) -> str:
    """``claim-figures_<first day>_<last day>.csv`` (local days, both included)."""
    last = report.until - timedelta(microseconds=1)
    return f"claim-figures_{report.since:%Y-%m-%d}_{last:%Y-%m-%d}.csv"


def to_csv(report: ClaimFigures) -> str:
    """One row per figure, led by its group: the total, statuses, routes, reasons, days or months."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", *Figures.model_fields])
    for group, rows in report.groups():
        for row in rows:
            writer.writerow([group, *("" if v is None else v for v in row.model_dump(mode="json").values())])
    return out.getvalue()
