from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Identity,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from member_svc.db import Base


class ManagerProfile(Base):
    """The manager's card: team, unit, rating, staff number, contact and personal invite code."""

    __tablename__ = "manager_profiles"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64), index=True)
    unit_code: Mapped[str] = mapped_column(String(64), index=True)
    staff_number: Mapped[str] = mapped_column(String(32), unique=True)
    phone: Mapped[str] = mapped_column(String(20))
    service_rating: Mapped[Decimal] = mapped_column(Numeric(3, 2), server_default="5.00")
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assignment(Base):
    """Assignment history: who looks after the member from when, who decided and why."""

    __tablename__ = "manager_assignments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    manager_id: Mapped[str] = mapped_column(String(64), index=True)
    previous_manager_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    manager_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16))
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ManagerTask(Base):
    """Follow-up work generated for a manager: a post-claim callback, a renewal due, a win-back, a follow-up
    after an activity, a tier-downgrade warning, a star customer overdue for a visit. ``(kind,
    source_ref)`` is unique, so generating twice (an event redelivered, a job run again) adds nothing."""

    __tablename__ = "manager_tasks"
    # A manager's open tasks by due date (built CONCURRENTLY by migration 0009).
    __table_args__ = (
        UniqueConstraint("kind", "source_ref"),
        Index("ix_manager_tasks_manager_status_due", "manager_id", "status", "due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    manager_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    source_ref: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    visit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    priority: Mapped[str] = mapped_column(String(8), server_default="normal")
    """``high``, ``normal`` or ``low``."""
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    """What the manager needs to know before calling: the policy, its end, the tier, the activity…"""
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MemberCorrection(Base):
    """Audit of a change a manager (or ops) made to a customer's contact details or vehicles: who, when,
    why, which proof, and the fields before and after (masked)."""

    __tablename__ = "member_corrections"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    fields: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    before: Mapped[dict[str, Any]] = mapped_column(JSONB)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reason: Mapped[str] = mapped_column(Text)
    proof: Mapped[str | None] = mapped_column(String(32))
    """``sms_code_to_new_phone`` when the phone changed (the customer read out the code sent to it)."""
    corrected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
