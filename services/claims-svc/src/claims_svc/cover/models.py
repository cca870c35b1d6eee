from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
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
