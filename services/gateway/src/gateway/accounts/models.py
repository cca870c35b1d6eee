from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class MemberAccount(Base):
    """A member's sign-in standing: pending until verified, closed once rejected."""

    __tablename__ = "member_accounts"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
