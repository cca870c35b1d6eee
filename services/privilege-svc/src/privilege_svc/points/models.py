from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class PointsAccount(Base):
    """One member's points. The row is locked by every change, so one member's changes serialise.

    ``balance`` is always the sum of the lots' ``remaining``; ``qualifying_points`` only grows with
    tier-qualifying credits and is never reduced by spending (redeeming never demotes anyone).
    """

    __tablename__ = "points_accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_points_accounts_balance"),)

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, server_default="0")
    qualifying_points: Mapped[int] = mapped_column(Integer, server_default="0")
    lifetime_earned: Mapped[int] = mapped_column(Integer, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


class PointsEntry(Base):
    """One line of the append-only ledger: a credit (which creates a lot) or a debit (which consumes lots)."""

    __tablename__ = "points_entries"
    __table_args__ = (
        Index("ix_points_entries_member", "member_id", "created_at", "id"),
        Index("ix_points_entries_rule", "member_id", "rule_code", "created_at"),
        CheckConstraint("points > 0", name="ck_points_entries_points"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    """``credit`` or ``debit``."""
    points: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(24))
    rule_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    """What caused it (``welcome:<member>``, ``order_completed:<order>``): a second credit for the same
    source is refused, so redelivered events and retried requests award nothing twice."""
    reference_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("points_entries.id"), nullable=True, unique=True
    )
    qualifying: Mapped[bool] = mapped_column(Boolean, server_default="false")
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PointsLot(Base):
    """The points of one credit, spendable until ``expires_at``; debits take from the earliest expiry."""

    __tablename__ = "points_lots"
    __table_args__ = (
        Index("ix_points_lots_member_expiry", "member_id", "expires_at"),
        # Not a partial index on ``remaining > 0``: an indexed column would make every debit's update of
        # ``remaining`` a non-HOT update, and a member's busy lot would pile up dead index entries.
        Index("ix_points_lots_expiry", "expires_at"),
        CheckConstraint("remaining >= 0 AND remaining <= points", name="ck_points_lots_remaining"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("points_entries.id"))
    points: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    earned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PointsAllocation(Base):
    """Which lots a debit consumed, and how much of each: a reversal gives back exactly these."""

    __tablename__ = "points_allocations"

    debit_entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("points_entries.id"), primary_key=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("points_lots.id"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)


class EarningRule(Base):
    """How many points a kind of activity earns, capped per member per period (data, edited by ops)."""

    __tablename__ = "earning_rules"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(24))
    points: Mapped[int] = mapped_column(Integer)
    """Fixed points per occurrence (when ``points_per_yuan`` is NULL)."""
    points_per_yuan: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Points per whole yuan of the amount (renewal premium)."""
    cap_points: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cap_period: Mapped[str | None] = mapped_column(String(8), nullable=True)
    """``day`` or ``month`` (calendar, UTC) or ``year`` (the member's privilege year); NULL with no cap."""
    validity_days: Mapped[int] = mapped_column(Integer)
    qualifying: Mapped[bool] = mapped_column(Boolean)
    """Whether the credit also counts toward the tier (kept apart from spendable points)."""
    active: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
