from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from member_svc.db import Base


class NeedsSurvey(Base):
    """A call for needs (征集令): its questions (single choice, multiple choice, free text) as published;
    each choice may add interests and needs to the member who picks it."""

    __tablename__ = "needs_surveys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(64))
    intro: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    """``draft``, ``published`` (members answer), ``closed``."""
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SurveyAnswer(Base):
    """One member's answer to a survey: at most one (the unique key refuses a second)."""

    __tablename__ = "needs_survey_answers"
    __table_args__ = (UniqueConstraint("survey_id", "member_id", name="uq_needs_survey_answers_member"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("needs_surveys.id"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SurveyAnswerItem(Base):
    """One chosen option, or one free text, of an answer (the rows the results count)."""

    __tablename__ = "needs_survey_answer_items"
    __table_args__ = (
        Index("ix_needs_survey_answer_items_question", "survey_id", "question_code", "option_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    answer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("needs_survey_answers.id"), index=True)
    survey_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    question_code: Mapped[str] = mapped_column(String(32))
    option_code: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
