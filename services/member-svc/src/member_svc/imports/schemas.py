from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from member_svc.identifiers import IdCardNumber, MobileNumber, PlateNumber, Vin
from member_svc.members.schemas import Name, RegionCode

COLUMNS = ("name", "id_number", "phone", "region_code", "plate", "vin", "manager_id")


class InvitationRow(BaseModel):
    """One line of an invitation list (CSV header: name,id_number,phone,region_code,plate,vin,manager_id)."""

    name: Name
    id_number: IdCardNumber
    phone: MobileNumber
    region_code: RegionCode | None = None
    plate: PlateNumber | None = None
    vin: Vin | None = None
    manager_id: str | None = Field(default=None, max_length=64)


class RowResult(BaseModel):
    row: int
    status: Literal["created", "exists", "invalid"]
    member_id: uuid.UUID | None = None
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
