"""Central publishing (统一消息发布): messages and insurance-knowledge articles, and managers' shares."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import Index

from notify_svc.db import Base


class Publication(Base):
    """One centrally owned message (``kind='message'``: underwriting, claims, value-added service news)
    or insurance-knowledge article (``kind='article'``, 保险知识).

    draft → approved (by someone other than the author) → published → withdrawn. Only published ones are
    seen by managers and members and can be shared; having one owner is what keeps branches from making
    their own copies.
    """

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_kind_status", "kind", "status", "published_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    channels: Mapped[list[str]] = mapped_column(JSONB, default=list)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Share(Base):
    """A manager sharing a published item with one of their own customers (logged against the manager)."""

    __tablename__ = "publication_shares"
    __table_args__ = (UniqueConstraint("publication_id", "member_id", name="uq_shares_publication_member"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    publication_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    manager_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[str] = mapped_column(String(64))
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
