from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class PolicyCoverRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    policy_no: str
    line: str
    starts_on: date
    ends_on: date
