from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class PolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    policy_no: str
    customer_no: str
    previous_policy_no: str | None
    line: str
    vehicle_kind: str
    premium_fen: int
    starts_on: date
    ends_on: date
    branch_code: str
    status: str
