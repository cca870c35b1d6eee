from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MemberTierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    tier: str
    changed_at: datetime | None = Field(
        description="When member-svc changed the tier; empty for a verified member held as prospective."
    )
