from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base


class Campaign(Base):
    """A segmented push: an approved template to an audience, expanded in throttled keyset chunks.

    ``cursor`` (the last member id queued) moves in the same transaction as the chunk's messages, so a
    restart resumes where it stopped and never queues a member twice.
    """

    __tablename__ = "campaigns"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(128))
    template_code: Mapped[str] = mapped_column(String(64))
    variables: Mapped[dict[str, Any]] = mapped_column(JSONB)
    channels: Mapped[list[str]] = mapped_column(JSONB)
    segment: Mapped[dict[str, Any]] = mapped_column(JSONB)
    throttle_per_second: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cursor: Mapped[str | None] = mapped_column(String(64))
    fact_key: Mapped[str | None] = mapped_column(String(160))
    """The fact the campaign tells (default ``campaign:{id}``); a publication's campaign uses the
    publication's, so a member who also gets it from their manager sees it once."""
    audience_size: Mapped[int] = mapped_column(Integer)
    targeted: Mapped[int] = mapped_column(Integer, default=0)
    opted_out: Mapped[int] = mapped_column(Integer, default=0)
    unreachable: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
