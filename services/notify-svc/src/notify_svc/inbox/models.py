from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base


class InboxItem(Base):
    """A message in a member's in-app inbox; one per fact (``(member_id, fact_id)`` is unique)."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("member_id", "fact_id", name="uq_inbox_member_fact"),
        Index("ix_inbox_member_created", "member_id", text("created_at DESC"), text("id DESC")),
        Index(
            "ix_inbox_unread", "member_id", postgresql_where=text("read_at IS NULL AND archived_at IS NULL")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[str] = mapped_column(String(64))
    fact_id: Mapped[str] = mapped_column(String(160))
    template_code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
