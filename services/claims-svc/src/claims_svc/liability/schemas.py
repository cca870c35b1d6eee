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
    """A party's answer to the proposal, with its proof.

    - the reporting member for themself: ``{"party": "member", "agree": true}``;
    - the other party on the member's phone, with the code sent to the other party's phone:
      ``{"party": "other_party", "agree": true, "code": "123456"}`` (``{"code": "123456"}`` alone means
      the same);
    - the other party from their own member account (signed in with the phone recorded for them):
      ``{"party": "other_party", "agree": true}``.

    ``agree: false`` disputes the split (the claim goes to a surveyor on site).
    """

    model_config = ConfigDict(extra="forbid")

    party: Literal["member", "other_party"] | None = Field(
        default=None,
        description="Omitted: other_party with a code or from the other party's account, else member.",
    )
    agree: bool = True
    code: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="The code the other party received."
    )


class ConfirmationRequestRead(BaseModel):
    """A code is on its way to the other party's phone."""

    phone: str = Field(description="The other party's phone, masked.")
    sent_at: datetime
    expires_at: datetime
    resend_after: datetime = Field(description="No new code for this claim before this time.")
    confirm_by: datetime = Field(
        description="Not agreed by both by then, the claim goes to a surveyor on site."
    )
    attempts: int = Field(description="Wrong codes allowed.")


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
    other_confirmed_by: str | None = Field(
        description="How the other party proved it: sms_code | member_account."
    )
    disputed_by: str | None
    disputed_at: datetime | None
    confirm_by: datetime | None = Field(
        description="Not agreed by both by then, it goes to a surveyor on site."
    )
    confirmation_requested_at: datetime | None = Field(
        description="When a code was first sent: the other party's phone is frozen since."
    )
    code_expires_at: datetime | None = Field(description="Until when the last code sent works, if unused.")
    answering_as: Literal["member", "other_party"] | None = Field(
        description="The party the signed-in member answers as (other_party: the other party's own "
        "account); none for staff."
    )
    claim_status: str
