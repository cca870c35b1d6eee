from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class Activity(Base):
    """An event the club runs (lecture, maintenance class, self-drive tour, ...). Its row is locked by
    every sign-up and cancellation, so seats are counted one change at a time."""

    __tablename__ = "activities"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signup_closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer)
    target_tiers: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    """Tiers that may sign up; empty for everyone."""
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    """Interest groups it is pushed to (photography, self-drive, ...)."""
    points_price: Mapped[int] = mapped_column(Integer)
    points_reward: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Attendance points; NULL uses the ``activity_attendance`` earning rule's amount."""
    status: Mapped[str] = mapped_column(String(16))
    """``open``, ``closed`` (no more sign-ups) or ``cancelled``."""
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivitySignup(Base):
    """A member's place (or place in the queue) at an activity."""

    __tablename__ = "activity_signups"
    __table_args__ = (
        Index(
            "ux_activity_signups_active",
            "activity_id",
            "member_id",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_activity_signups_queue", "activity_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("activities.id"))
    member_id: Mapped[str] = mapped_column(String(64))
    party_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    """``confirmed``, ``waitlisted``, ``attended`` or ``cancelled``."""
    debit_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("points_entries.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
