from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class FulfilmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: str
    privilege_id: str
    city_code: str
    status: str
    appointment_at: datetime | None
    requested_at: datetime
