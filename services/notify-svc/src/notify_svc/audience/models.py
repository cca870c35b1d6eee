from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base


class Recipient(Base):
    """A member as the audience of messages: segmentation attributes grow with the campaigns issue."""

    __tablename__ = "recipients"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16), default="prospective")
    join_channel: Mapped[str | None] = mapped_column(String(24))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
