"""Owner's-secretary (车主秘书) projections and data: policies, vehicles, violations, weather, rules."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import Index

from notify_svc.db import Base


class Policy(Base):
    """A member's policy as ``member.policy_changed`` describes it; renewal reminders come from ``ends_on``.

    ``renewed_by`` is set when a later policy names this one as its predecessor: a renewed policy is not
    reminded of. ``changed_at`` keeps an older event from overwriting a newer one.
    """

    __tablename__ = "policies"
    __table_args__ = (
        Index(
            "ix_policies_due",
            "ends_on",
            "policy_no",
            postgresql_where=text("status = 'active' AND renewed_by IS NULL"),
        ),
    )

    policy_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    line: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    plate: Mapped[str | None] = mapped_column(String(16))
    renewed_by: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Vehicle(Base):
    """A member's vehicle (``member.vehicles_changed`` carries the full list): inspections, violations."""

    __tablename__ = "vehicles"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InspectionRule(Base):
    """How often a kind of vehicle is inspected at an age: data, so ops can follow a change of the law.

    A vehicle aged ``from_age_years`` up to (not including) ``to_age_years`` is due every
    ``interval_months``; ``action`` is ``label`` (inspection-free: apply for the label, 免检领标) or
    ``inspection`` (on-site inspection, 上线检测).
    """

    __tablename__ = "inspection_rules"
    __table_args__ = (UniqueConstraint("kind", "from_age_years", name="uq_inspection_rules_kind_age"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    from_age_years: Mapped[int] = mapped_column(Integer)
    to_age_years: Mapped[int | None] = mapped_column(Integer)
    interval_months: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrafficViolation(Base):
    """A violation from the traffic police's feed, kept so a vehicle projected later is still reminded."""

    __tablename__ = "traffic_violations"

    violation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text)
    fine_fen: Mapped[int] = mapped_column(Integer)
    penalty_points: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WeatherAlert(Base):
    """A weather alert being fanned out to the members of its region in chunks.

    The cursor (the last ``(region_code, member_id)`` reached) moves in the same transaction as the
    chunk's messages, so a restart resumes and a second run never repeats a member.
    """

    __tablename__ = "weather_alerts"
    __table_args__ = (
        Index("ix_weather_alerts_expanding", "issued_at", postgresql_where=text("status = 'expanding'")),
    )

    alert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    region_prefix: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    headline: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12))
    cursor_region: Mapped[str | None] = mapped_column(String(12))
    cursor_member: Mapped[str | None] = mapped_column(String(64))
    reached: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
