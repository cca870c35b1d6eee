from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

VehicleKind = Literal["household_car", "commercial_vehicle", "motorcycle", "other"]


class InspectionRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_age_years: int = Field(ge=0, le=60)
    to_age_years: int | None = Field(default=None, ge=1, le=60)
    interval_months: int = Field(ge=1, le=60)
    action: Literal["label", "inspection"]


class InspectionRulesPut(BaseModel):
    """A kind's rules by age, from 0 without gaps; the last may be open-ended (no ``to_age_years``)."""

    rules: list[InspectionRuleIn] = Field(max_length=20)

    @model_validator(mode="after")
    def _contiguous(self) -> InspectionRulesPut:
        expected = 0
        for index, rule in enumerate(self.rules):
            if rule.from_age_years != expected:
                raise ValueError(f"rules[{index}] must start at age {expected}")
            if rule.to_age_years is None:
                if index != len(self.rules) - 1:
                    raise ValueError(f"rules[{index}]: only the last rule may be open-ended")
                break
            if rule.to_age_years <= rule.from_age_years:
                raise ValueError(f"rules[{index}]: to_age_years must be above from_age_years")
            expected = rule.to_age_years
        return self


class InspectionRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    from_age_years: int
    to_age_years: int | None
    interval_months: int
    action: str
    updated_by: str
    updated_at: datetime


class InspectionRules(BaseModel):
    items: list[InspectionRuleRead]


class JobRun(BaseModel):
    job: Literal["renewal", "inspection", "violations"]
    on: date | None = Field(default=None, description="The day to reckon reminders from (default: today).")


class JobResultRead(BaseModel):
    job: str
    on: date
    chunks: int
    considered: int
    outcomes: dict[str, int]
    inbox_items: int
    messages: int


class WeatherAlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    alert_id: str
    region_code: str
    region_prefix: str
    kind: str
    level: str
    status: str
    reached: int
    completed_at: datetime | None
