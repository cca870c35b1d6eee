from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from notify_svc.db import Base


class Recipient(Base):
    """A member as the audience of messages: how to reach them and what segments they fall in."""

    __tablename__ = "recipients"
    __table_args__ = (
        # Weather alerts walk a region (prefix) in (region_code, member_id) order.
        Index(
            "ix_recipients_region_member",
            "region_code",
            "member_id",
            postgresql_ops={"region_code": "varchar_pattern_ops"},
        ),
    )

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16), default="prospective", index=True)
    join_channel: Mapped[str | None] = mapped_column(String(24))
    openid: Mapped[str | None] = mapped_column(String(64))
    phone_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    """AES-GCM (nonce ‖ ciphertext) of the phone number (PIPL: encrypted at rest)."""
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    region_code: Mapped[str | None] = mapped_column(String(12))
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list, server_default="{}")
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    activity_signups: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
