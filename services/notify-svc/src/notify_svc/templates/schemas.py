from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from cheyou_kit.pagination import Page
from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["wechat", "sms", "inbox"]
Category = Literal["service", "reminder", "marketing"]
VariableType = Literal["string", "int", "date"]


class TemplateCreate(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    channel: Channel
    category: Category
    variables: dict[str, VariableType] = Field(default_factory=dict)
    title: str = Field(default="", max_length=64)
    body: str = Field(default="", max_length=2000)
    wechat_template_id: str | None = Field(default=None, max_length=64)
    wechat_fields: dict[str, str] = Field(default_factory=dict)
    sms_template_code: str | None = Field(default=None, max_length=32)
    sms_params: dict[str, str] = Field(default_factory=dict)
    link: str | None = Field(default=None, max_length=256)


class TemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    channel: str
    version: int
    locale: str
    category: str
    variables: dict[str, str]
    title: str
    body: str
    wechat_template_id: str | None
    wechat_fields: dict[str, str]
    sms_template_code: str | None
    sms_params: dict[str, str]
    link: str | None
    status: str
    created_by: str
    approved_by: str | None
    created_at: datetime
    approved_at: datetime | None


TemplatePage = Page[TemplateRead]


class TemplatePreview(BaseModel):
    variables: dict[str, Any] = Field(default_factory=dict)


class TemplatePreviewRead(BaseModel):
    channel: str
    payload: dict[str, Any]
