from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class Game(Base):
    """A club game (博饼 or 砸金蛋) with its budget. ``points_left`` only moves by a conditional UPDATE
    in the paying play's transaction (``points_left >= prize``), so the budget can never be overspent
    however many play at once; the CHECK constraint is the backstop."""

    __tablename__ = "games"
    __table_args__ = (
        CheckConstraint("points_left >= 0 AND points_left <= points_budget", name="ck_games_points_left"),
        CheckConstraint("plays_per_day >= 1", name="ck_games_plays_per_day"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``bobing`` or ``golden_egg``."""
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    """``draft`` (ops edit it), ``published`` (members play), ``closed``."""
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    plays_per_day: Mapped[int] = mapped_column(Integer)
    """Plays per member per Beijing day."""
    target_tiers: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    """Who may play; empty = every member."""
    rules: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB, nullable=True)
    """博饼: the ranking (``games.dice.DiceRule`` list), frozen once published; the golden egg has none."""
    rules_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    points_budget: Mapped[int] = mapped_column(Integer)
    points_left: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class GamePrize(Base):
    """What an outcome pays: points from the game's budget or one coupon of a merchant-svc batch.
    ``remaining`` (coupons always, points prizes optionally) moves by a conditional UPDATE too."""

    __tablename__ = "game_prizes"
    __table_args__ = (
        UniqueConstraint("game_id", "code", name="uq_game_prizes_code"),
        CheckConstraint("remaining IS NULL OR remaining >= 0", name="ck_game_prizes_remaining"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    game_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("games.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    """博饼: the outcome it pays (``zhuangyuan``...); golden egg: the prize's own code."""
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    """``points`` or ``coupon``."""
    points: Mapped[int] = mapped_column(Integer)
    merchant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    coupon_batch_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remaining: Mapped[int | None] = mapped_column(Integer, nullable=True)
    probability_ppm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Golden egg: the odds of this prize in parts per million (the rest of a million holds nothing)."""


class GamePlay(Base):
    """One roll or one smashed egg, as it happened: the CSPRNG draw, the dice, the outcome under the
    ranking of ``rules_digest``, the prize and what became of it. ``digest`` chains the member's plays of
    the day (``prev_digest``), so a play changed or removed afterwards no longer verifies."""

    __tablename__ = "game_plays"
    __table_args__ = (
        UniqueConstraint("member_id", "idempotency_key", name="uq_game_plays_idempotency"),
        Index("ix_game_plays_game_member", "game_id", "member_id", "played_at", "id"),
        Index("ix_game_plays_game", "game_id", "played_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    game_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("games.id"))
    member_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    """The Beijing day the play counts against."""
    seq: Mapped[int] = mapped_column(Integer)
    """1 for the member's first play of the day, and so on."""
    draw: Mapped[int] = mapped_column(Integer)
    """The CSPRNG's number: ``[0, 46656)`` for 博饼 (the six dice), ``[0, 1000000)`` for an egg."""
    dice: Mapped[str | None] = mapped_column(String(6), nullable=True)
    outcome_code: Mapped[str] = mapped_column(String(32))
    outcome_name: Mapped[str] = mapped_column(String(32))
    prize_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("game_prizes.id"), nullable=True)
    prize_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prize_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    points: Mapped[int] = mapped_column(Integer)
    """Points credited (0 unless a points prize was paid)."""
    prize_status: Mapped[str] = mapped_column(String(24))
    """``none`` (nothing won), ``paid`` (points credited), ``coupon_awarded`` (merchant-svc issues it),
    ``coupon_refused`` (it could not; the unit went back), ``budget_exhausted`` (won, but the budget had
    nothing left for it)."""
    refusal_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    credit_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("points_entries.id"), nullable=True)
    rules_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    digest: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GameDailyPlays(Base):
    """A member's plays of a game on one Beijing day: the row a play upserts (``plays < limit``) and
    locks, so one member's plays run one at a time and never pass the daily limit."""

    __tablename__ = "game_daily_plays"
    __table_args__ = (PrimaryKeyConstraint("game_id", "member_id", "day", name="pk_game_daily_plays"),)

    game_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("games.id"))
    member_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    plays: Mapped[int] = mapped_column(Integer)
    last_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
