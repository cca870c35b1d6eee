from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from member_svc.db import Base


class Policy(Base):
    """A motor policy as the core system last described it."""

    __tablename__ = "policies"

    policy_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_no: Mapped[str] = mapped_column(String(64), index=True)
    previous_policy_no: Mapped[str | None] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(16))
    vehicle_kind: Mapped[str] = mapped_column(String(32))
    premium_fen: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    branch_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
