from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ScenarioRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label: str
    legal_reference: str
    manual: bool


class LiabilityCreate(BaseModel):
    """Up to three scenarios for each party, picked from the standard list."""

    model_config = ConfigDict(extra="forbid")

    member_scenarios: list[str] = Field(max_length=3)
    other_scenarios: list[str] = Field(max_length=3)

    @model_validator(mode="after")
    def _no_repeats(self) -> Self:
        for party in (self.member_scenarios, self.other_scenarios):
            if len(set(party)) != len(party):
                raise ValueError("a scenario is picked twice for one party")
        return self


class ConfirmationCreate(BaseModel):
    """A party's answer to the proposal; the other party answers on the member's phone with the last four
    digits of the phone number recorded for them."""

    model_config = ConfigDict(extra="forbid")

    party: Literal["member", "other_party"]
    agree: bool
    phone_last4: str | None = Field(default=None, pattern=r"^\d{4}$")


class LiabilityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_scenarios: list[str]
    other_scenarios: list[str]
    member_liability: str
    other_liability: str
    member_liability_text: str
    other_liability_text: str
    proposed_at: datetime
    member_confirmed_at: datetime | None
    other_confirmed_at: datetime | None
    disputed_by: str | None
    disputed_at: datetime | None
    claim_status: str
