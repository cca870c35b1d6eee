from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class MemberTier(Base):
    """The tier a member holds, as member-svc last announced it; entitlements derive from it."""

    __tablename__ = "member_tiers"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    year_starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Anchor of the member's privilege year (quotas reset on its anniversary): the day the member
    first held a tier (member-svc does not announce the policy start date yet)."""
