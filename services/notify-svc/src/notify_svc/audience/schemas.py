from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RecipientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    tier: str
    join_channel: str | None
    has_openid: bool = False
    phone_masked: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    region_code: str | None = None
    interests: list[str] = []
    manager_id: str | None = None
    activity_signups: int = 0
    last_activity_at: datetime | None = None
