from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ARRAY, DateTime, Float, ForeignKey, Index, Integer, String, Text, Uuid, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from merchant_svc.db import Base

BANDS_PER_DEGREE = 10
"""Latitude bands of 0.1° (about 11 km): the nearby index is a btree on (band, longitude)."""


class ServicePointStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class ServicePoint(Base):
    """A place where a merchant serves members (a car-wash bay, a dispatch desk), in GCJ-02.

    The nearby search reads ``ix_service_points_nearby``: for each 0.1° latitude band that the search
    circle's box touches, one btree range scan over the longitude span; the exact haversine distance
    then orders what the box let through.
    """

    __tablename__ = "service_points"
    __table_args__ = (
        Index(
            "ix_service_points_nearby",
            "lat_band",
            "lng",
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_service_points_merchant", "merchant_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    city_code: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    """The shop's own service number (a business line shown to members, not a person's)."""
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    """GCJ-02 degrees."""
    lat_band: Mapped[int] = mapped_column(Integer)
    """``floor(lat * BANDS_PER_DEGREE)``."""
    services: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    """Privilege codes this point fulfils (``car_wash``, ``rescue_towing``…)."""
    hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    """Opening hours as entered: ``[{"day": 1, "opens": "08:00", "closes": "20:00"}, …]`` (Asia/Shanghai)."""
    offers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    """Current offers: ``[{"title", "detail", "valid_from", "valid_until"}, …]``."""
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class OpenInterval(Base):
    """One ``[starts_min, ends_min)`` of the week when the point is open (``hours.week_intervals``)."""

    __tablename__ = "service_point_open_intervals"

    point_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), primary_key=True
    )
    starts_min: Mapped[int] = mapped_column(Integer, primary_key=True)
    ends_min: Mapped[int] = mapped_column(Integer)
