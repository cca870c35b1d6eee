from __future__ import annotations

import uuid
from datetime import date, datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.games.models import Game, GameDailyPlays, GamePlay, GamePrize


async def add(session: AsyncSession, game: Game, prizes: list[GamePrize]) -> None:
    session.add(game)
    await session.flush()
    session.add_all(prizes)
    await session.flush()


async def get(session: AsyncSession, game_id: uuid.UUID, *, for_update: bool = False) -> Game | None:
    statement = select(Game).where(Game.id == game_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def prizes_of(session: AsyncSession, game_ids: list[uuid.UUID]) -> list[GamePrize]:
    statement = (
        select(GamePrize)
        .where(GamePrize.game_id.in_(game_ids))
        .order_by(GamePrize.game_id, GamePrize.position)
        .execution_options(populate_existing=True)
    )
    return list(await session.scalars(statement))


async def list_games(
    session: AsyncSession, *, open_at: datetime | None, tier: str | None, cursor: str | None, limit: int
) -> Slice[Game]:
    statement = select(Game)
    if open_at is not None:
        statement = statement.where(
            Game.status == "published", Game.starts_at <= open_at, Game.ends_at > open_at
        )
    if tier is not None:
        statement = statement.where(
            (func.cardinality(Game.target_tiers) == 0) | Game.target_tiers.contains([tier])
        )
    return await paginate(session, statement, cursor, limit, by=(Game.created_at, Game.id), descending=True)


async def plays_today(
    session: AsyncSession, game_ids: list[uuid.UUID], member_id: str, day: date
) -> dict[uuid.UUID, int]:
    statement = select(GameDailyPlays.game_id, GameDailyPlays.plays).where(
        GameDailyPlays.game_id.in_(game_ids), GameDailyPlays.member_id == member_id, GameDailyPlays.day == day
    )
    return {game_id: int(plays) for game_id, plays in (await session.execute(statement)).all()}


async def count_play(
    session: AsyncSession, game_id: uuid.UUID, member_id: str, day: date, limit: int
) -> tuple[int, str | None] | None:
    """Count one more play of the day unless the member reached ``limit``: the play's number and the
    digest of the member's previous play that day; None when the limit is reached. The row stays locked
    to the end of the transaction, so one member's plays run one at a time."""
    statement = insert(GameDailyPlays).values(game_id=game_id, member_id=member_id, day=day, plays=1)
    upsert = statement.on_conflict_do_update(
        constraint="pk_game_daily_plays",
        set_={"plays": GameDailyPlays.plays + 1},
        where=GameDailyPlays.plays < limit,
    ).returning(GameDailyPlays.plays, GameDailyPlays.last_digest)
    row = (await session.execute(upsert)).first()
    return None if row is None else (int(row[0]), row[1])


async def chain(session: AsyncSession, game_id: uuid.UUID, member_id: str, day: date, digest: str) -> None:
    await session.execute(
        update(GameDailyPlays)
        .where(
            GameDailyPlays.game_id == game_id,
            GameDailyPlays.member_id == member_id,
            GameDailyPlays.day == day,
        )
        .values(last_digest=digest)
    )


async def take_units(session: AsyncSession, prize_id: uuid.UUID) -> bool:
    """One unit of a prize with a quantity, if any is left (the row lock queues concurrent winners)."""
    statement = text(
        "UPDATE game_prizes SET remaining = remaining - 1 WHERE id = :id AND remaining > 0 RETURNING id"
    )
    return (await session.execute(statement, {"id": prize_id})).first() is not None


async def put_unit_back(session: AsyncSession, prize_id: uuid.UUID) -> None:
    await session.execute(
        text("UPDATE game_prizes SET remaining = remaining + 1 WHERE id = :id AND remaining IS NOT NULL"),
        {"id": prize_id},
    )


async def take_points(session: AsyncSession, game_id: uuid.UUID, points: int) -> bool:
    """``points`` from the game's budget if that many are left: the conditional UPDATE is what keeps the
    budget from being overspent (concurrent payers queue on the row and re-check after each commit)."""
    statement = text(
        "UPDATE games SET points_left = points_left - :points"
        " WHERE id = :id AND points_left >= :points RETURNING id"
    )
    return (await session.execute(statement, {"id": game_id, "points": points})).first() is not None


async def top_up(session: AsyncSession, game_id: uuid.UUID, points: int) -> None:
    await session.execute(
        update(Game)
        .where(Game.id == game_id)
        .values(points_budget=Game.points_budget + points, points_left=Game.points_left + points)
    )


async def add_play(session: AsyncSession, play: GamePlay) -> None:
    session.add(play)
    await session.flush()


async def lock_idempotency_key(session: AsyncSession, member_id: str, key: str) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:scope), hashtext(:key))"),
        {"scope": "game_plays", "key": f"{member_id}:{key}"},
    )


async def play_by_key(session: AsyncSession, member_id: str, key: str) -> GamePlay | None:
    statement = select(GamePlay).where(GamePlay.member_id == member_id, GamePlay.idempotency_key == key)
    return await session.scalar(statement)


async def get_play(session: AsyncSession, play_id: uuid.UUID, *, for_update: bool = False) -> GamePlay | None:
    statement = select(GamePlay).where(GamePlay.id == play_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def list_plays(
    session: AsyncSession, game_id: uuid.UUID, member_id: str | None, cursor: str | None, limit: int
) -> Slice[GamePlay]:
    statement = select(GamePlay).where(GamePlay.game_id == game_id)
    if member_id is not None:
        statement = statement.where(GamePlay.member_id == member_id)
    return await paginate(
        session, statement, cursor, limit, by=(GamePlay.played_at, GamePlay.id), descending=True
    )


async def plays_of_day(
    session: AsyncSession, game_id: uuid.UUID, member_id: str, day: date
) -> list[GamePlay]:
    statement = (
        select(GamePlay)
        .where(GamePlay.game_id == game_id, GamePlay.member_id == member_id, GamePlay.day == day)
        .order_by(GamePlay.seq)
    )
    return list(await session.scalars(statement))


async def counted(session: AsyncSession, game_id: uuid.UUID, member_id: str, day: date) -> int:
    statement = select(GameDailyPlays.plays).where(
        GameDailyPlays.game_id == game_id, GameDailyPlays.member_id == member_id, GameDailyPlays.day == day
    )
    return int(await session.scalar(statement) or 0)


async def outcome_counts(session: AsyncSession, game_id: uuid.UUID) -> dict[str, int]:
    statement = (
        select(GamePlay.outcome_code, func.count())
        .where(GamePlay.game_id == game_id)
        .group_by(GamePlay.outcome_code)
    )
    return {code: int(n) for code, n in (await session.execute(statement)).all()}
