from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from merchant_svc.db import Base


class Fulfilment(Base):
    """One privilege order to be carried out by an alliance merchant."""

    __tablename__ = "fulfilments"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    privilege_id: Mapped[str] = mapped_column(String(64))
    city_code: Mapped[str] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    appointment_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(24))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
