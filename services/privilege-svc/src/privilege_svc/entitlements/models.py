from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class QuotaUsage(Base):
    """Uses of one privilege by one member in one period: reserved by open orders, used by completed ones.

    The row is the lock: a booking takes it ``FOR UPDATE`` before checking ``reserved + used < quota``.
    """

    __tablename__ = "quota_usage"
    __table_args__ = (CheckConstraint("reserved >= 0 AND used >= 0", name="ck_quota_usage_non_negative"),)

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    privilege_code: Mapped[str] = mapped_column(ForeignKey("privileges.code"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    reserved: Mapped[int] = mapped_column(Integer, server_default="0")
    used: Mapped[int] = mapped_column(Integer, server_default="0")
