from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ExpiringRead(BaseModel):
    points: int
    expires_at: datetime


class BalanceRead(BaseModel):
    """The "Me" page's points: what can be spent now and what expires when."""

    member_id: str
    balance: int
    qualifying_points: int
    lifetime_earned: int
    expiring: list[ExpiringRead]


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    member_id: str
    direction: Literal["credit", "debit"]
    points: int
    balance_after: int
    reason: str
    rule_code: str | None
    reference_id: str | None
    reverses_id: uuid.UUID | None
    qualifying: bool
    actor: str | None
    note: str | None
    created_at: datetime


class AdjustmentCreate(BaseModel):
    points: int
    """Positive to add, negative to remove."""
    reason: Annotated[str, Field(min_length=2, max_length=500)]

    @field_validator("points")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("an adjustment of 0 points changes nothing")
        return value


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    description: str
    reason: str
    points: int
    points_per_yuan: int | None
    cap_points: int | None
    cap_period: Literal["day", "month", "year"] | None
    validity_days: int
    qualifying: bool
    active: bool
    updated_by: str
    updated_at: datetime


class RuleUpdate(BaseModel):
    """The fields to change. ``points_per_yuan``, ``cap_points`` and ``cap_period`` may be set to null
    (no per-yuan rate, no cap); the others may be left out but never set to null (the rule always has
    them), so ``{"qualifying": null}`` is a 422 naming the field, not a NULL written into the table."""

    # Typed without None so that null does not validate; the None default only marks "left out" (mypy
    # cannot express "absent but never null", hence the ignores).
    points: int = Field(default=None, ge=0)  # type: ignore[assignment]
    points_per_yuan: Annotated[int, Field(ge=0)] | None = None
    cap_points: Annotated[int, Field(ge=0)] | None = None
    cap_period: Literal["day", "month", "year"] | None = None
    validity_days: int = Field(default=None, ge=1, le=3650)  # type: ignore[assignment]
    qualifying: bool = Field(default=None)  # type: ignore[assignment]
    active: bool = Field(default=None)  # type: ignore[assignment]


class MaintenanceRead(BaseModel):
    members_expired: int
    reminders_sent: int
