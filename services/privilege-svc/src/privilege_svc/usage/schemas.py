from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class TierUsage(BaseModel):
    tier: str
    completed: int


class PrivilegeUsage(BaseModel):
    privilege_code: str
    name: str
    completed: int
    by_tier: list[TierUsage]


class UsageRead(BaseModel):
    """The seed's table (代办验车 586, 洗车 1,350, ...), counted from completed orders."""

    since: datetime
    until: datetime
    privileges: list[PrivilegeUsage]
    orders_completed: int
    points_redemptions: int
