from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class SmsReply(BaseModel):
    """An upstream message (上行短信) the provider pushes: what a person texted back to our number."""

    model_config = ConfigDict(extra="ignore")

    phone_number: Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{5,20}$")]
    content: str = Field(max_length=500)
    send_time: str | None = Field(default=None, max_length=32)
    sign_name: str | None = Field(default=None, max_length=64)
    dest_code: str | None = Field(default=None, max_length=32)
    sequence_id: int | str | None = None


class RepliesAnswer(BaseModel):
    """What the provider expects back (anything else is retried)."""

    code: int = 0
    msg: str = "成功"


class Unsubscribe(BaseModel):
    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")] = Field(
        description="The ``invitation`` parameter of the unsubscribe link."
    )


class Unsubscribed(BaseModel):
    status: Literal["unsubscribed"] = "unsubscribed"
    message: str = "已退订：您不会再收到车友俱乐部的入会邀请和营销短信。"
