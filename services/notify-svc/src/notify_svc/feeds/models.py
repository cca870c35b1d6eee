"""What the feeds received: every item by its provider id, the signed pushes, the pull cursors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import Index

from notify_svc.db import Base


class FeedItem(Base):
    """One item a provider sent, recorded once: ``(provider, provider_item_id)`` is unique.

    ``status`` is ``matched`` (a fact went to the outbox: ``event_id``) or ``skipped`` with a ``reason``
    (``unknown_plate``, ``unknown_region``, ``ended``). A replay matches the item again and, matched,
    writes a new fact with the same violation or alert id (members already told are not told twice).
    """

    __tablename__ = "feed_items"
    __table_args__ = (
        UniqueConstraint("provider", "provider_item_id", name="uq_feed_items_provider_item"),
        Index("ix_feed_items_received", "received_at", "id"),
        Index("ix_feed_items_provider_received", "provider", "received_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_item_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(16))
    """The plate of a violation, the region code of a weather alert."""
    via: Mapped[str] = mapped_column(String(8))
    delivery_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(32))
    matched: Mapped[int] = mapped_column(Integer, default=0)
    event_id: Mapped[uuid.UUID | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replays: Mapped[int] = mapped_column(Integer, default=0)
    replayed_by: Mapped[str | None] = mapped_column(String(64))


class FeedDelivery(Base):
    """A signed push seen (its ``webhook-id``): the same push again inside the tolerance changes nothing.

    Older rows are pruned: a push older than the tolerance is refused by its timestamp anyway."""

    __tablename__ = "feed_deliveries"
    __table_args__ = (Index("ix_feed_deliveries_received", "provider", "received_at"),)

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    items: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FeedCursor(Base):
    """Where the pull of a provider stands: its cursor, and the backoff after failures."""

    __tablename__ = "feed_cursors"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(256))
    items_pulled: Mapped[int] = mapped_column(Integer, default=0)
