from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class MemberTier(Base):
    """The tier a member holds, as member-svc last announced it; entitlements derive from it."""

    __tablename__ = "member_tiers"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When member-svc changed the tier; empty while the member is held as prospective only because they
    were verified (any announced change, however old, replaces that)."""
    year_starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day the member first held a tier: the privilege year's anchor until a policy of theirs is
    known (``MemberPolicy``), when the policy year takes over."""


class MemberPolicy(Base):
    """One of the member's policies as ``member.policy_changed`` last described it (a small projection:
    the privilege year follows the policy year, and renewals earn points)."""

    __tablename__ = "member_policies"
    __table_args__ = (Index("ix_member_policies_member", "member_id"),)

    policy_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    premium_fen: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MemberProfile(Base):
    """What else privilege-svc follows of a member: who referred them, when they were verified (referral
    points are due then) and their interests (activities target them)."""

    __tablename__ = "member_profiles"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    referred_by_member_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    interests: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    interests_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    openid: Mapped[str | None] = mapped_column(String(128), nullable=True)
    """The member's openid under the club's official account (``member.contact_changed``): the payer of a
    JSAPI payment."""
    contact_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
