from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from cheyou_kit.pagination import Page
from pydantic import BaseModel, ConfigDict, Field

from notify_svc.campaigns.schemas import Segment
from notify_svc.templates.schemas import Channel

MessageCategory = Literal["underwriting", "claims", "value_added"]
ArticleCategory = Literal["claims_guide", "renewal", "safe_driving", "policy_basics", "other"]
Status = Literal["draft", "approved", "published", "withdrawn"]


class _Authored(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=64)
    summary: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)


class MessageCreate(_Authored):
    """A centrally published message: underwriting, claims or value-added service news."""

    category: MessageCategory


class ArticleCreate(_Authored):
    """An insurance-knowledge article (保险知识)."""

    category: ArticleCategory


class PublishRequest(BaseModel):
    """Publish to customer managers, and to members on ``channels`` (a segment is then required)."""

    model_config = ConfigDict(extra="forbid")

    channels: list[Channel] = []
    segment: Segment | None = None
    throttle_per_second: int = Field(default=200, ge=1, le=5000)
    confirm_unbounded: bool = False
    confirm_empty: bool = False


class PublicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    category: str
    title: str
    summary: str
    body: str
    status: str
    channels: list[str]
    campaign_id: uuid.UUID | None
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    published_by: str | None
    published_at: datetime | None
    withdrawn_at: datetime | None


PublicationPage = Page[PublicationRead]


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_ids: list[str] = Field(min_length=1, max_length=200)


class ShareResult(BaseModel):
    shared: list[str]
    already_shared: list[str]


class ShareRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    publication_id: uuid.UUID
    manager_id: str
    member_id: str
    shared_at: datetime


class ShareList(BaseModel):
    items: list[ShareRead]
