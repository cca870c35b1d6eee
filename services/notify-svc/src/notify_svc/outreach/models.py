from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base


class Invitee(Base):
    """A person invited from an imported list (from ``member.invited``): how to reach them, the personal
    token of their links (encrypted; its SHA-256 to find them by it), and where the outreach stands."""

    __tablename__ = "invitees"
    __table_args__ = (
        Index(
            "ix_invitees_reminder_due",
            "next_reminder_at",
            postgresql_where=text("status = 'active' AND next_reminder_at IS NOT NULL"),
        ),
    )

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    list_id: Mapped[str] = mapped_column(String(64), index=True)
    manager_id: Mapped[str | None] = mapped_column(String(64))
    manager_name: Mapped[str | None] = mapped_column(String(64))
    consent_basis: Mapped[str] = mapped_column(String(16))
    openid: Mapped[str | None] = mapped_column(String(64))
    phone_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    join_url: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    """``active`` (being invited), ``joined`` (applied), ``opted_out``."""
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opted_out_via: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsOptOut(Base):
    """A phone number that asked for no more marketing or reminder texts (a reply TD, an unsubscribe link).

    Kept by keyed hash only; the sender sends such a number service messages only."""

    __tablename__ = "sms_opt_outs"

    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    via: Mapped[str] = mapped_column(String(16))
    opted_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
