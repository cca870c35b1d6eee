from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from member_svc.identifiers import MobileNumber
from member_svc.members.schemas import RegionCode, VehicleIn

VisitKind = Literal[
    "star_visit", "renewal_contact", "winback_visit", "post_claim_callback", "activity_followup"
]
VisitChannel = Literal["in_person", "phone", "wechat", "sms"]
TaskKind = Literal[
    "post_claim_callback", "renewal_due", "winback", "activity_followup", "tier_downgrade_warning",
    "star_visit_overdue",
]  # fmt: skip
TaskPriority = Literal["high", "normal", "low"]
TaskStatus = Literal["open", "done"]


class ManagerUpsert(BaseModel):
    display_name: str = Field(min_length=1, max_length=64)
    team: str = Field(min_length=1, max_length=64)
    unit_code: str = Field(min_length=1, max_length=64)
    staff_number: str = Field(min_length=1, max_length=32)
    phone: str = Field(pattern=r"^[0-9+\- ]{7,20}$")
    service_rating: Decimal = Field(default=Decimal("5.00"), ge=0, le=5, decimal_places=2)
    active: bool = True


class ManagerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    staff_id: str
    display_name: str
    team: str
    unit_code: str
    staff_number: str
    phone: str
    service_rating: Decimal
    invite_code: str
    active: bool


class AssignmentCreate(BaseModel):
    manager_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=2, max_length=500)


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    manager_id: str
    previous_manager_id: str | None
    source: str
    reason: str | None
    assigned_by: str
    assigned_at: datetime


class VisitCreate(BaseModel):
    member_id: uuid.UUID
    kind: VisitKind
    channel: VisitChannel
    visited_at: AwareDatetime
    notes: str | None = Field(default=None, max_length=2000)
    task_id: uuid.UUID | None = Field(default=None, description="The follow-up task this visit completes.")


class VisitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    manager_id: str
    member_id: uuid.UUID
    kind: str
    channel: str
    visited_at: datetime
    notes: str | None
    task_id: uuid.UUID | None


class TaskCustomer(BaseModel):
    name_masked: str
    tier: str
    phone_masked: str


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    source_ref: str
    due_on: date
    status: str
    visit_id: uuid.UUID | None
    priority: TaskPriority = "normal"
    context: dict[str, Any] = Field(
        default_factory=dict,
        description="What to know before the call: policy_no, plate, ends_on / ended_on, premium_fen "
        "(renewal, win-back); tier, to_tier, effective_on, contribution_needed_fen (downgrade); "
        "activity_title, attended_at (activity); visits_this_year, last_visit_at (star visit); claim_id.",
    )
    closed_at: datetime | None = None
    customer: TaskCustomer | None = None


class TaskRun(BaseModel):
    """What one generation run added, per kind."""

    generated: dict[str, int]
    on: date


class CorrectionCreate(BaseModel):
    """A manager corrects a customer's contact details or vehicles, with the reason; a new phone only with
    the code sent to it (the customer reads it out; ``X-Phone-Proof``), as for the member's own change."""

    reason: str = Field(min_length=2, max_length=500)
    phone: MobileNumber | None = None
    region_code: RegionCode | None = None
    vehicles: list[VehicleIn] | None = Field(default=None, max_length=5)


class CorrectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: uuid.UUID
    actor: str
    role: str
    fields: list[str]
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    proof: str | None
    corrected_at: datetime


class PlanEntry(BaseModel):
    member_id: uuid.UUID
    tier: str
    name_masked: str
    visits_this_year: int
    last_visit_at: datetime | None
    next_due_on: date | None
    status: Literal["overdue", "due", "scheduled", "met"]


class Kpi(BaseModel):
    staff_id: str | None
    team: str
    since: date
    until: date
    visits_by_kind: dict[str, int]
    star_members: int
    star_visits_planned: int
    star_visits_done: int
    joins: int
    renewal_contacts: int
    invited: int = Field(default=0, description="Invitations from imported lists sent for the manager.")
    invitations_verified: int = Field(default=0, description="Of those, verified members now.")
    invitation_conversion: float | None = Field(
        default=None, description="invitations_verified / invited; empty without any invitation."
    )


class UnitTarget(BaseModel):
    unit_code: str
    month: str
    household_commercial_last_month: int
    target: int
    joins: int
    attainment: float | None
