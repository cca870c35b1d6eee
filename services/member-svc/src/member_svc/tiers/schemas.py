from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from member_svc.members.schemas import Tier


class Thresholds(BaseModel):
    """Contribution (fen) from which each star tier starts; any active policy makes a member ordinary."""

    three_star: int = Field(gt=0)
    four_star: int = Field(gt=0)
    five_star: int = Field(gt=0)

    @model_validator(mode="after")
    def _ascending(self) -> Self:
        if not self.three_star < self.four_star < self.five_star:
            raise ValueError("thresholds must rise from three_star to five_star")
        return self


class RulesDocument(BaseModel):
    """contribution = active annual premium × weight + years as customer + extra product lines
    + renewal streak − settled claims in the window (never below 0), all in fen."""

    premium_weight: float = Field(ge=0, le=10)
    per_year_fen: int = Field(ge=0)
    max_years: int = Field(ge=0, le=50)
    per_extra_line_fen: int = Field(ge=0)
    per_renewal_fen: int = Field(ge=0)
    max_renewals: int = Field(ge=0, le=50)
    per_claim_fen: int = Field(ge=0)
    claims_window_days: int = Field(ge=1, le=3650)
    thresholds_fen: Thresholds
    grace_days: int = Field(ge=0, le=365, description="A lower tier waits this long before it applies.")


class RulesCreate(BaseModel):
    rules: RulesDocument
    note: str = Field(
        min_length=2, max_length=500, description="Why the rules change (kept in the audit trail)."
    )


class RulesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    rules: RulesDocument
    note: str
    created_by: str
    created_at: datetime


class TierChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_tier: str
    to_tier: str
    contribution_fen: int
    reason: str
    rules_version: int
    effective_on: date
    changed_by: str | None
    changed_at: datetime


class FloorSet(BaseModel):
    tier: Tier
    reason: str = Field(min_length=2, max_length=500)
    expires_on: date


class TierStatus(BaseModel):
    member_id: uuid.UUID
    tier: str
    contribution_fen: int
    downgrade_due_on: date | None
    downgrade_to: str | None = Field(description="The tier that applies on downgrade_due_on.")
    contribution_needed_fen: int | None = Field(
        description="With a pending downgrade: the contribution still missing to keep the tier "
        "(None when only an active policy keeps it)."
    )
    floor: str | None
    floor_expires_on: date | None


class RunCreate(BaseModel):
    chunk_size: int = Field(default=5000, ge=100, le=50_000)


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    rules_version: int
    evaluated_on: date
    chunk_size: int
    total: int
    processed: int
    changed: int
    started_by: str
    started_at: datetime
    finished_at: datetime | None


class TierMove(BaseModel):
    from_tier: Tier
    to_tier: Tier
    members: int
    after_grace: int = Field(
        description="Of a downgrade: the members for whom it would first wait for the grace period."
    )


class DryRunRead(BaseModel):
    """What publishing the rules and re-evaluating today would do; nothing is written."""

    rules_version: int = Field(description="The version in force now, which the dry run compares with.")
    evaluated_on: date
    members: int = Field(description="Verified members evaluated.")
    upgrades: int
    downgrades: int = Field(description="Lower tiers, applied now or after the grace period.")
    downgrades_after_grace: int
    unchanged: int
    moves: list[TierMove] = Field(
        description="The from x to matrix: every (tier now, tier decided) pair with members, "
        "the unchanged ones included."
    )
