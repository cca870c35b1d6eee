from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, PrimaryKeyConstraint, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class InterestGroup(Base):
    """A WeChat group for members who share an interest; its group QR (WeChat lets one live 7 days) is
    replaced by ops before it expires, each replacement a new version."""

    __tablename__ = "interest_groups"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    """A member with any of these interests sees the group."""
    status: Mapped[str] = mapped_column(String(16))
    """``active`` or ``archived`` (members no longer see it)."""
    qr_image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    qr_content_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    qr_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    qr_version: Mapped[int] = mapped_column(Integer)
    qr_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    qr_updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InterestGroupJoin(Base):
    """A member who opened the group's QR to join (counted once per member)."""

    __tablename__ = "interest_group_joins"
    __table_args__ = (PrimaryKeyConstraint("group_id", "member_id", name="pk_interest_group_joins"),)

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interest_groups.id"))
    member_id: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    qr_version: Mapped[int] = mapped_column(Integer)
