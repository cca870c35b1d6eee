"""When a vehicle's next annual inspection falls due, from its registration date and the rules (data)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Rule:
    from_age_years: int
    to_age_years: int | None
    interval_months: int
    action: str  # label (inspection-free, apply for the label) or inspection


@dataclass(frozen=True)
class Due:
    on: date
    action: str


def age_in_years(registered_on: date, on: date) -> int:
    """Full years from registration to ``on``."""
    return on.year - registered_on.year - ((on.month, on.day) < (registered_on.month, registered_on.day))


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months``, kept inside the month (29 Feb + 12 months → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rule_at(rules: Sequence[Rule], age: int) -> Rule | None:
    for rule in rules:
        if rule.from_age_years <= age and (rule.to_age_years is None or age < rule.to_age_years):
            return rule
    return None


def next_due(registered_on: date, rules: Sequence[Rule], today: date) -> Due | None:
    """The first due date on or after ``today``; ``None`` when no rule covers the vehicle.

    Each due date is the previous one plus the interval of the rule for the vehicle's age at the
    previous one; what is due then (label or inspection) is the rule for the age at the due date, so a
    private car registered in 2020 applies for labels in 2022 and 2024 and is inspected on site in 2026.
    """
    due = registered_on
    while due < today or due == registered_on:
        rule = rule_at(rules, age_in_years(registered_on, due))
        if rule is None or rule.interval_months <= 0:
            return None
        due = add_months(registered_on, _months_between(registered_on, due) + rule.interval_months)
    at_due = rule_at(rules, age_in_years(registered_on, due))
    return Due(due, at_due.action) if at_due is not None else None


def _months_between(start: date, later: date) -> int:
    return (later.year - start.year) * 12 + later.month - start.month
