from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from claims_svc.db import Base


class LiabilityScenario(Base):
    """One row of the standard fast-handling list, with the rule it breaks (data, seeded by migration)."""

    __tablename__ = "liability_scenarios"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    legal_reference: Mapped[str] = mapped_column(String(80))
    manual: Mapped[bool] = mapped_column(Boolean)
    """Picking it sends the claim to manual (on-site) liability handling."""
    sort_order: Mapped[int] = mapped_column(Integer, unique=True)


class LiabilityAssessment(Base):
    """The assistant's proposal for one claim and each party's answer to it."""

    __tablename__ = "liability_assessments"

    claim_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    member_scenarios: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    other_scenarios: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    member_liability: Mapped[str] = mapped_column(String(16))
    other_liability: Mapped[str] = mapped_column(String(16))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    member_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    other_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disputed_by: Mapped[str | None] = mapped_column(String(16))
    disputed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirm_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set at the first proposal (a new proposal does not move it): unconfirmed by then, it goes on site."""
    confirmation_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the other party was first involved (a code sent to them, or their answer from their own
    account): from then on their phone cannot change."""
    other_confirmed_by: Mapped[str | None] = mapped_column(String(16))
    """How the other party proved their answer: ``sms_code`` or ``member_account``."""
    other_party_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """The member account the other party answered from (``member_account``)."""


class LiabilityCode(Base):
    """One code sent by SMS to the other party's phone: only its keyed hash is kept.

    Also the log the sending limits count (per claim, and per phone through ``phone_index``, a keyed hash).
    A code is open until it is used, replaced by a newer one or its proposal is replaced; wrong tries are
    counted in Redis (``liability.codes``), so that a refused try counts although its transaction rolls back.
    """

    __tablename__ = "liability_codes"
    __table_args__ = (
        Index("ix_liability_codes_claim", "claim_id", "sent_at"),
        Index("ix_liability_codes_phone", "phone_index", "sent_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("claims.id", ondelete="CASCADE"))
    phone_index: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(String(16))
    """used | replaced | reproposed | lapsed (the claim left liability_pending)"""
