from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from cheyou_kit.pagination import Page
from pydantic import BaseModel, ConfigDict, Field, model_validator


class InboxItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    template_code: str
    category: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    seen_at: datetime | None
    read_at: datetime | None
    archived_at: datetime | None


InboxPage = Page[InboxItemRead]


class UnreadCount(BaseModel):
    unread: int


class InboxMark(BaseModel):
    """Which items: the listed ids, or ``all: true`` (bulk mark-as-read)."""

    item_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _some(self) -> InboxMark:
        if not self.item_ids and not self.all:
            raise ValueError("name item_ids or set all")
        return self


class InboxMarked(BaseModel):
    updated: int
    unread: int


InboxView = Literal["inbox", "unread", "archived"]
