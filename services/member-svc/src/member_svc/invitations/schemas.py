from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from member_svc.identifiers import IdCardNumber, MobileNumber, PlateNumber, Vin
from member_svc.members.schemas import Name, RegionCode

COLUMNS = (
    "name", "id_number", "phone", "region_code", "plate", "vin", "manager_id",
    "consent_basis", "consent_ref", "openid",
)  # fmt: skip
ConsentBasis = Literal["written", "online", "recorded_call", "policy_form"]
"""How the person agreed to be contacted: a signed form, an online tick box, a recorded phone call, or
the marketing-consent clause of the insurance application form."""


class InvitationRow(BaseModel):
    """One line of an invitation list (CSV header: name,id_number,phone,region_code,plate,vin,manager_id,
    consent_basis,consent_ref,openid). Without a consent basis the person is recorded but never contacted."""

    name: Name
    id_number: IdCardNumber
    phone: MobileNumber
    region_code: RegionCode | None = None
    plate: PlateNumber | None = None
    vin: Vin | None = None
    manager_id: str | None = Field(default=None, max_length=64)
    consent_basis: ConsentBasis | None = None
    consent_ref: str | None = Field(default=None, max_length=64, description="Where the consent is kept.")
    openid: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{6,64}$")] | None = Field(
        default=None, description="The person's openid on the club's WeChat account, when a follower."
    )


class RowResult(BaseModel):
    row: int
    status: Literal["created", "exists", "invalid"]
    member_id: uuid.UUID | None = None
    contacted: bool = Field(
        default=False, description="An invitation is sent (a new invitee with a consent basis)."
    )
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    rows: int
    created: int
    existing: int
    invalid: int
    report: list[RowResult]
    imported_by: str
    imported_at: datetime


class InvitationManager(BaseModel):
    display_name: str
    team: str
    staff_number: str


class InvitationView(BaseModel):
    """What the personal join link shows before sign-in: who invites, to whom (masked), and its state."""

    manager: InvitationManager | None
    manager_code: str | None
    name_masked: str
    status: Literal["open", "taken_up", "opted_out"]
