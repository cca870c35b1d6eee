from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from claims_svc.db import Base


class PolicyCover(Base):
    """The period a policy covers; a loss must fall inside an active cover to be reported."""

    __tablename__ = "policy_cover"

    policy_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_no: Mapped[str] = mapped_column(String(64), index=True)
    line: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    plate: Mapped[str | None] = mapped_column(String(32), index=True)
    vin: Mapped[str | None] = mapped_column(String(17))
    holder_id_hash: Mapped[str | None] = mapped_column(String(64))


class MemberPolicy(Base):
    """A policy a member holds, as member-svc matched it (``member.policy_changed``; the latest change wins).

    The core feed knows customers, not members; this is how a member's report is tied to their own policy.
    """

    __tablename__ = "member_policies"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    policy_no: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    line: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    plate: Mapped[str | None] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
