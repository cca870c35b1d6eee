"""The figures are rows of one shape: a key and the same measures, for the total and for each breakdown."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

Grouping = Literal["day", "month"]
Route = Literal["self_service", "on_site"]
ROUTES: tuple[Route, ...] = ("self_service", "on_site")

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
YEARS = range(1970, 3000)
"""Bounds far outside any claim are refused rather than computed with (date arithmetic would overflow)."""


def _bound(value: Any) -> date | datetime:
    """A Beijing day (``2014-03-01``) or an instant with its offset (``2014-03-01T00:00:00+08:00``)."""
    parsed = _parse(value)
    if parsed.year not in YEARS:
        raise ValueError(f"give a date from {YEARS.start} to {YEARS.stop - 1}")
    return parsed


def _parse(value: Any) -> date | datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("give a date (2014-03-01) or a date-time with an offset") from None
    else:
        raise ValueError("give a date (2014-03-01) or a date-time with an offset")
    if moment.tzinfo is None:
        raise ValueError("a date-time needs an offset (2014-03-01T00:00:00+08:00), or give a date")
    return moment


PeriodBound = Annotated[
    date | datetime,
    PlainValidator(_bound),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]
"""``from``/``to`` of a period: Beijing days (``to`` included) or aware instants (``to`` excluded)."""


class Figures(BaseModel):
    """Claims reported in the period under one key, as they stand now."""

    key: str = Field(
        description="'all' in the total; the status, route or on-site reason; the day or month's first day."
    )
    reported: int = Field(description="Claims reported.")
    self_service: int = Field(description="Of those, handled online from report to end (快速理赔).")
    on_site: int = Field(description="Of those, routed to on-site handling (at report or later).")
    withdrawn: int = Field(description="Of those, withdrawn.")
    settled: int = Field(description="Of those, paid (settled) by now.")
    photos_reshot: int = Field(description="Of those, claims whose surveyor asked for photos to be re-shot.")
    mean_seconds_to_settlement: float | None = Field(
        description="Mean time from report to first payment of the settled ones; empty without any."
    )


class ClaimFigures(BaseModel):
    """The figures of the claims reported in ``[from, to)``; the CSV has one row per ``Figures``, the
    total first, each led by its group (total, status, route, on_site_reason, day or month)."""

    model_config = ConfigDict(populate_by_name=True)

    since: datetime = Field(alias="from", description="Start of the period (included), Beijing time.")
    until: datetime = Field(alias="to", description="End of the period (excluded), Beijing time.")
    as_of: datetime = Field(description="Statuses, withdrawals and settlements are counted as of this time.")
    total: Figures
    by_status: list[Figures] = Field(
        description="Statuses the claims are in now, in the order of the lifecycle."
    )
    by_route: list[Figures] = Field(description="self_service, then on_site (both always present).")
    by_on_site_reason: list[Figures] = Field(
        description="Why claims went on site, most frequent first; a claim with two reasons counts in both."
    )
    by: Grouping | None = Field(description="The grouping of by_period, if asked for (?by=day|month).")
    by_period: list[Figures] | None = Field(
        description="Local days or months from the period's first to its last, zeros included; ISO-date keys."
    )

    def groups(self) -> list[tuple[str, list[Figures]]]:
        """The rows under their group names, the total first (the CSV's order)."""
        groups = [
            ("total", [self.total]),
            ("status", self.by_status),
            ("route", self.by_route),
            ("on_site_reason", self.by_on_site_reason),
        ]
        if self.by is not None and self.by_period is not None:
            groups.append((self.by, self.by_period))
        return groups
