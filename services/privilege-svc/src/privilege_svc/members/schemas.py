from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class MemberTierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    tier: str
    changed_at: datetime
