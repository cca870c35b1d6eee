"""Each report is a table: ``rows`` and a ``total`` row of the same columns (CSV: rows, then total)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Period = Literal["day", "week", "month"]


class TierStatusRow(BaseModel):
    tier: str
    status: str
    members: int


class MembersReport(BaseModel):
    as_of: datetime
    rows: list[TierStatusRow] = Field(description="Tiers from prospective to five-star, then status.")
    total: TierStatusRow = Field(description="tier and status 'all'.")


class JoinsRow(BaseModel):
    period_start: date | None = Field(description="First day of the day/week/month; empty in the total.")
    channel: str = Field(
        description="The join route: web, wechat, manager_invite, import ('all' in the total)."
    )
    registered: int = Field(description="Registrations (invitations not yet taken up are not counted).")
    verified: int = Field(description="Of those, verified now.")


class JoinsReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period: Period
    since: date = Field(alias="from")
    until: date = Field(alias="to")
    rows: list[JoinsRow]
    total: JoinsRow


class ThroughputRow(BaseModel):
    day: date | None = Field(description="China time; empty in the total.")
    reviewer_id: str = Field(description="'all' in the total.")
    callbacks: int
    approved: int
    rejected: int
    approval_rate: float | None = Field(description="approved / (approved + rejected); empty without any.")
    waiting: int | None = Field(default=None, description="Total only: applications waiting now.")
    in_progress: int | None = Field(default=None, description="Total only: applications claimed now.")


class ThroughputReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    since: date = Field(alias="from")
    until: date = Field(alias="to")
    rows: list[ThroughputRow]
    total: ThroughputRow


InvitationsBy = Literal["list", "manager"]


class InvitationsRow(BaseModel):
    key: str = Field(
        description="The list's id (by list) or the inviting manager's staff id (by manager); 'all' in "
        "the total, 'none' for invitations without a manager."
    )
    filename: str | None = Field(default=None, description="By list: the imported file's name.")
    imported_at: datetime | None = Field(default=None, description="By list: when it was imported.")
    invited: int = Field(description="Invitees contacted (rows with a consent basis).")
    opened: int = Field(description="Of those, who opened their personal join link.")
    applied: int = Field(description="Who applied (took the invitation up).")
    verified: int = Field(description="Who are verified members now: the conversion.")
    opted_out: int = Field(description="Who replied TD or unsubscribed.")
    conversion: float | None = Field(description="verified / invited; empty without any invitation.")


class InvitationsReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    by: InvitationsBy
    since: date = Field(alias="from")
    until: date = Field(alias="to")
    rows: list[InvitationsRow]
    total: InvitationsRow
