from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Category = Literal["service", "reminder", "marketing"]
ChannelName = Literal["wechat", "sms", "inbox"]


class PreferencesRead(BaseModel):
    member_id: str
    channels: dict[str, dict[str, bool]]
    quiet_hours: str


class PreferencesUpdate(BaseModel):
    """Category → channel → enabled; categories and channels not named keep their setting."""

    channels: dict[Category, dict[ChannelName, bool]]
