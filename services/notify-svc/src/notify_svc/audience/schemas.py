from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RecipientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    tier: str
    join_channel: str | None
