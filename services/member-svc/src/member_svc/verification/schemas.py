from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from member_svc.members.schemas import MemberPii, MemberRead

Outcome = Literal["reached", "unreachable", "wrong_number", "data_mismatch"]
FixableField = Literal["name", "id_number", "phone", "region_code", "vehicles"]


class CallbackCreate(BaseModel):
    outcome: Outcome
    notes: str | None = Field(default=None, max_length=2000)
    retry_at: AwareDatetime | None = Field(
        default=None,
        description="Call again then: the task leaves the reviewer and returns to the queue at that time.",
    )


class CallbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reviewer_id: str
    outcome: str
    notes: str | None
    called_at: datetime


class Rejection(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class FixRequest(BaseModel):
    fields: list[FixableField] = Field(min_length=1)
    message: str = Field(min_length=2, max_length=500)


class PolicyEvidence(BaseModel):
    """The policy data the service holds for the applicant's ID hash, to compare with the application."""

    policy_no: str
    line: str
    plate: str | None
    status: str
    ends_on: date
    plate_matches_application: bool


class CoreRecordCheck(BaseModel):
    """The application beside what the insurer's core system holds for the applicant's ID-card number."""

    id_number_known: bool = Field(description="The core system holds a policy for this ID-card number.")
    name_matches: bool | None = Field(
        description="The applicant's name is the policyholder's (None: the core feed gave no name)."
    )
    phone_matches: bool | None = Field(
        description="The applicant's phone is the one the insurer holds (None: the insurer gave none)."
    )
    callback_phone_source: Literal["insurer", "application"] = Field(
        description="Whose number to call back: the insurer's for the policyholder, or — only when the "
        "insurer holds none — the applicant's own, which proves nothing about who they are."
    )
    callback_phone_masked: str
    callback_phone: str | None = Field(
        description="The number to call, in full: only for the reviewer holding the task (audited)."
    )
    id_number_contested: bool = Field(
        default=False,
        description="Another member already holds this ID-card number: the application cannot be approved "
        "(409 id-number-held-by-another-member); call the insurer's number, then reject.",
    )
    mismatches: list[str] = Field(description="What does not agree with the core record, to settle by phone.")


class TaskRead(BaseModel):
    task_id: uuid.UUID
    member_id: uuid.UUID
    status: str
    claimed_by: str | None
    lease_expires_at: datetime | None
    not_before: datetime | None
    attempts: int
    fix_fields: list[str]
    message: str | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    member: MemberRead
    full: MemberPii | None = Field(description="Full real-name data: only for the reviewer holding the task.")
    policies: list[PolicyEvidence]
    core_record: CoreRecordCheck
    callbacks: list[CallbackRead]


class TaskSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    member_id: uuid.UUID
    status: str
    claimed_by: str | None
    lease_expires_at: datetime | None
    attempts: int
    created_at: datetime


class ApplicationStatus(BaseModel):
    """What the applicant sees: where the application is and what to fix."""

    status: str
    fix_fields: list[str]
    message: str | None


class ReviewerDay(BaseModel):
    reviewer_id: str
    day: date
    callbacks: int


class Figures(BaseModel):
    waiting: int
    in_progress: int
    callbacks: list[ReviewerDay]
    approved: int
    rejected: int
    approval_rate: float | None
