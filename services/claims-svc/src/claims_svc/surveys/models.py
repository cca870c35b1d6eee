from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from claims_svc.db import Base


class SurveyTask(Base):
    """A claim's place in the surveyors' queue: queued → taken by one surveyor → decided."""

    __tablename__ = "survey_tasks"
    __table_args__ = (Index("ix_survey_tasks_queue", "status", "queued_at"),)

    claim_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))  # remote | on_site
    status: Mapped[str] = mapped_column(String(16))  # queued | taken | decided
    round: Mapped[int] = mapped_column(Integer, default=1)
    surveyor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expected_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reshoot_slots: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    reshoot_note: Mapped[str | None] = mapped_column(Text)


class SurveyReview(Base):
    """One surveyor decision on one round of photos, with the queue and handling times it took."""

    __tablename__ = "survey_reviews"
    __table_args__ = (
        # the claims whose photos were re-shot, for the figures (a small fraction of all decisions)
        Index("ix_survey_reviews_reshoot", "claim_id", postgresql_where=text("outcome = 'reshoot'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    surveyor_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # confirmed | reshoot
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    slots: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    note: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queue_seconds: Mapped[float] = mapped_column(Float)
    handling_seconds: Mapped[float] = mapped_column(Float)


class SurveyPhoto(Base):
    """One photo in one slot of the shot list; a re-shoot replaces it (the old one is kept, marked)."""

    __tablename__ = "survey_photos"
    __table_args__ = (
        Index(
            "uq_survey_photos_current_slot",
            "claim_id",
            "slot",
            unique=True,
            postgresql_where=text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("claims.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gps_latitude: Mapped[float | None] = mapped_column(Float)
    gps_longitude: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
