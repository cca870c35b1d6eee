from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class MemberTier(Base):
    """The tier a member holds, as member-svc last announced it; entitlements derive from it."""

    __tablename__ = "member_tiers"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
