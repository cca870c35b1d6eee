from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base

OPEN_STATUSES = ("pending", "unknown", "sending")
WAITING_FOR_CONTACT = "waiting_for_contact"
"""Held: no address of the member is known yet; released by ``member.contact_changed``, or expires."""
UNDELIVERABLE = "undeliverable"
NO_CONTACT = "no_contact"
"""The error of a held message that expired before the member's contact came."""


class Message(Base):
    """One fact to one member on one push channel: the delivery queue and its outcome.

    Written in the same transaction as the fact that caused it (never sent from a Kafka handler); the
    sender delivers it. ``(member_id, fact_id, channel)`` is unique, so a fact is never sent twice on
    a channel; the id is the SMS out-id, so a timed-out send is looked up before it is retried.

    A message for a member whose contact is not known yet waits in ``waiting_for_contact`` (the
    sender does not see it) with every allowed push channel as its chain, until
    ``member.contact_changed`` releases it (``pending`` on the first reachable channel) or it expires
    (``undeliverable``).
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("member_id", "fact_id", "channel", name="uq_messages_member_fact_channel"),
        Index(
            "ix_messages_due",
            "not_before",
            postgresql_where=text("status IN ('pending', 'unknown', 'sending')"),
        ),
        Index("ix_messages_campaign_status", "campaign_id", "status"),
        Index(
            "ix_messages_waiting_for_contact",
            "created_at",
            postgresql_where=text("status = 'waiting_for_contact'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    fact_id: Mapped[str] = mapped_column(String(160))
    template_code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    fallbacks: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    fallback_from: Mapped[str | None] = mapped_column(String(8))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    cause_event_id: Mapped[uuid.UUID | None] = mapped_column()
    """The event that caused the message, carried into ``notify.events``."""
    status: Mapped[str] = mapped_column(String(24), default="pending")
    quiet_hold: Mapped[bool | None] = mapped_column(Boolean)
    """The notice's ``hold_in_quiet_hours``: applied again when a held message is released."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(128))
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryAttempt(Base):
    """The delivery log: every try on a channel, with the provider's id, the outcome and any fallback."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(128))
    fallback_to: Mapped[str | None] = mapped_column(String(8))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
