from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Uuid
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
