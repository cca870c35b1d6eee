"""Club games on one prize engine: 博饼 (six dice, the ranking as data) and the golden egg (configurable
odds), paid from the game's budget.

A play is one transaction, locks taken in one order:
1. the member's row of the day in ``game_daily_plays`` (upserted only while ``plays < limit``): the
   daily limit holds and one member's plays run one at a time;
2. the draw, from the operating system's CSPRNG (``secrets``);
3. for a prize: the member's points account (a points prize), then the prize's units
   (``remaining > 0``) and the game's budget (``points_left >= points``), each a conditional UPDATE:
   the budget rows are the ones every winner waits for, so they are locked last and briefly;
4. the points credit (``source_key = game_play:<id>``), the play row with its digest chained to the
   member's previous play of the day, and ``game_prize_won`` through the outbox.
A prize the budget can no longer pay is recorded as ``budget_exhausted``: the roll stands and is told;
once nothing is left to win, plays are refused before anything is counted.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from cheyou_events.catalogue.merchant import CouponPrizeRefused
from cheyou_events.catalogue.privilege import GamePrizeWon
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.entitlements.errors import MemberNotKnown
from privilege_svc.eventing import publish as publish_event
from privilege_svc.games import dice, repository
from privilege_svc.games.dice import NO_PRIZE, RULES_ADAPTER, DiceRule
from privilege_svc.games.errors import (
    BudgetExhausted,
    DailyLimitReached,
    GameClosed,
    GameNotDraft,
    GameNotFound,
    GameNotOpen,
    IdempotencyKeyReused,
)
from privilege_svc.games.models import Game, GamePlay, GamePrize
from privilege_svc.games.schemas import (
    MILLION,
    GameAuditRead,
    GameCreate,
    GameFairnessOutcome,
    GameFairnessRead,
    GameOddsRead,
    GameOutcomeRead,
    GamePrizeRead,
    GameRead,
)
from privilege_svc.member_projection import service as members
from privilege_svc.points import service as points

BEIJING = ZoneInfo("Asia/Shanghai")
EGG_NOTHING = "谢谢参与"


def beijing_day(at: datetime) -> date:
    return at.astimezone(BEIJING).date()


def rules_of(game: Game) -> list[DiceRule]:
    return RULES_ADAPTER.validate_python(game.rules or [])


async def create(
    session: AsyncSession, body: GameCreate, *, created_by: str, now: datetime | None = None
) -> GameRead:
    now = now or datetime.now(UTC)
    rules = (body.rules or dice.DEFAULT_RULES) if body.kind == "bobing" else None
    game = Game(
        id=uuid.uuid4(),
        kind=body.kind,
        name=body.name,
        description=body.description,
        status="draft",
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        plays_per_day=body.plays_per_day,
        target_tiers=[tier.value for tier in body.target_tiers],
        rules=None if rules is None else [rule.model_dump(mode="json") for rule in rules],
        rules_digest=None if rules is None else dice.digest(rules),
        points_budget=body.points_budget,
        points_left=body.points_budget,
        created_by=created_by,
        created_at=now,
    )
    prizes = [
        GamePrize(
            id=uuid.uuid4(),
            game_id=game.id,
            position=position,
            code=prize.code,
            name=prize.name,
            kind=prize.kind,
            points=prize.points or 0,
            merchant_id=prize.merchant_id,
            coupon_batch_id=prize.coupon_batch_id,
            quantity=prize.quantity,
            remaining=prize.quantity,
            probability_ppm=prize.probability_ppm,
        )
        for position, prize in enumerate(body.prizes)
    ]
    await repository.add(session, game, prizes)
    return _read(game, prizes)


def exhausted(game: Game, prizes: Sequence[GamePrize]) -> bool:
    """Nothing left to win: no prize has a unit left that the budget can still pay."""
    return not any(
        (prize.remaining is None or prize.remaining > 0)
        and (prize.kind != "points" or prize.points <= game.points_left)
        for prize in prizes
    )


def _read(game: Game, prizes: Sequence[GamePrize], plays_today: int | None = None) -> GameRead:
    return GameRead(
        id=game.id,
        kind=game.kind,
        name=game.name,
        description=game.description,
        status=game.status,
        starts_at=game.starts_at,
        ends_at=game.ends_at,
        plays_per_day=game.plays_per_day,
        target_tiers=list(game.target_tiers),
        points_budget=game.points_budget,
        points_left=game.points_left,
        budget_exhausted=exhausted(game, prizes),
        rules_digest=game.rules_digest,
        prizes=[GamePrizeRead.model_validate(prize) for prize in prizes],
        created_at=game.created_at,
        published_at=game.published_at,
        plays_today=plays_today,
        plays_left_today=None if plays_today is None else max(0, game.plays_per_day - plays_today),
    )


async def _game(session: AsyncSession, game_id: uuid.UUID, *, for_update: bool = False) -> Game:
    game = await repository.get(session, game_id, for_update=for_update)
    if game is None:
        raise GameNotFound(f"game {game_id} does not exist")
    return game


async def _member_tier(session: AsyncSession, member_id: str) -> str:
    tier = await members.tier_of(session, member_id)
    if tier is None:
        raise MemberNotKnown(f"member {member_id} is not known")
    return tier.value


def _visible_to(game: Game, tier: str) -> bool:
    return game.status != "draft" and (not game.target_tiers or tier in game.target_tiers)


async def get(session: AsyncSession, game_id: uuid.UUID, *, member_id: str | None = None) -> GameRead:
    """One game; a member sees only published games aimed at their tier, with their plays today."""
    game = await _game(session, game_id)
    prizes = await repository.prizes_of(session, [game.id])
    if member_id is None:
        return _read(game, prizes)
    if not _visible_to(game, await _member_tier(session, member_id)):
        raise GameNotFound(f"game {game_id} does not exist")
    today = await repository.plays_today(session, [game.id], member_id, beijing_day(datetime.now(UTC)))
    return _read(game, prizes, today.get(game.id, 0))


async def list_games(
    session: AsyncSession,
    *,
    member_id: str | None,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> tuple[list[GameRead], str | None]:
    """Staff: every game, newest first. A member: the games open now for their tier, with plays left."""
    now = now or datetime.now(UTC)
    tier = None if member_id is None else await _member_tier(session, member_id)
    rows: Slice[Game] = await repository.list_games(
        session, open_at=None if member_id is None else now, tier=tier, cursor=cursor, limit=limit
    )
    games = list(rows.rows)
    prizes = await repository.prizes_of(session, [game.id for game in games])
    today: dict[uuid.UUID, int] = {}
    if member_id is not None:
        today = await repository.plays_today(
            session, [game.id for game in games], member_id, beijing_day(now)
        )
    reads = [
        _read(
            game,
            [prize for prize in prizes if prize.game_id == game.id],
            None if member_id is None else today.get(game.id, 0),
        )
        for game in games
    ]
    return reads, rows.next_cursor


async def publish(session: AsyncSession, game_id: uuid.UUID, *, now: datetime | None = None) -> GameRead:
    game = await _game(session, game_id, for_update=True)
    if game.status != "draft":
        raise GameNotDraft(f"game {game_id} is {game.status}")
    game.status = "published"
    game.published_at = now or datetime.now(UTC)
    await session.flush()
    return _read(game, await repository.prizes_of(session, [game.id]))


async def close(session: AsyncSession, game_id: uuid.UUID) -> GameRead:
    game = await _game(session, game_id, for_update=True)
    game.status = "closed"
    await session.flush()
    return _read(game, await repository.prizes_of(session, [game.id]))


async def top_up(session: AsyncSession, game_id: uuid.UUID, points: int) -> GameRead:
    """Ops add points to the budget (a closed game's budget stays closed)."""
    game = await _game(session, game_id)
    if game.status == "closed":
        raise GameClosed(f"game {game_id} is closed")
    await repository.top_up(session, game_id, points)
    game = await _game(session, game_id)
    return _read(game, await repository.prizes_of(session, [game.id]))


# --- odds ---------------------------------------------------------------------------------------------


def _odds(
    game_kind: str, rules: list[DiceRule] | None, prizes: Sequence[GamePrize], *, with_rules: bool
) -> GameOddsRead:
    by_code = {prize.code: prize for prize in prizes}
    outcomes: list[GameOutcomeRead] = []
    if game_kind == "bobing":
        ranking = dice.ranking(rules or dice.DEFAULT_RULES)
        total = dice.ROLLS
        for rank, rule in enumerate(ranking.rules, start=1):
            outcomes.append(
                _outcome(rule.code, rule.name, rule.group, rank, ranking.counts[rule.code], total, by_code)
            )
        outcomes.append(
            _outcome(NO_PRIZE, "没中", "-", len(ranking.rules) + 1, ranking.counts[NO_PRIZE], total, by_code)
        )
        rules_digest: str | None = ranking.digest
    else:
        total = MILLION
        for rank, prize in enumerate(prizes, start=1):
            outcomes.append(
                _outcome(prize.code, prize.name, prize.name, rank, prize.probability_ppm or 0, total, by_code)
            )
        rest = total - sum(prize.probability_ppm or 0 for prize in prizes)
        outcomes.append(_outcome(NO_PRIZE, EGG_NOTHING, "-", len(prizes) + 1, rest, total, by_code))
        rules_digest = None
    expected = sum(
        Fraction(outcome.rolls, total) * outcome.prize.points
        for outcome in outcomes
        if outcome.prize is not None and outcome.prize.kind == "points"
    )
    return GameOddsRead(
        rules_digest=rules_digest,
        total=total,
        outcomes=outcomes,
        expected_points_per_play=float(expected),
        rules=list(rules or dice.DEFAULT_RULES) if with_rules and game_kind == "bobing" else None,
    )


def _outcome(
    code: str, name: str, group: str, rank: int, rolls: int, total: int, prizes: dict[str, GamePrize]
) -> GameOutcomeRead:
    prize = prizes.get(code)
    return GameOutcomeRead(
        code=code,
        name=name,
        group=group,
        rank=rank,
        rolls=rolls,
        probability=rolls / total,
        prize=None if prize is None else GamePrizeRead.model_validate(prize),
    )


def default_ranking() -> GameOddsRead:
    """The Xiamen ranking with each outcome's exact probability (no prizes)."""
    return _odds("bobing", None, [], with_rules=True)


async def odds(session: AsyncSession, game_id: uuid.UUID, *, member_id: str | None = None) -> GameOddsRead:
    """The game's outcomes, their exact probabilities and prizes (members see the odds they play)."""
    await get(session, game_id, member_id=member_id)  # visibility
    game = await _game(session, game_id)
    prizes = await repository.prizes_of(session, [game.id])
    return _odds(game.kind, rules_of(game) if game.kind == "bobing" else None, prizes, with_rules=True)


# --- playing ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Played:
    play: GamePlay
    plays_left_today: int
    budget_exhausted: bool


def _status_at_play(play: GamePlay) -> str:
    """What the play decided when it happened (a later coupon refusal does not change its digest)."""
    return "coupon_awarded" if play.prize_status == "coupon_refused" else play.prize_status


def play_digest(play: GamePlay) -> str:
    fields = (
        str(play.id),
        str(play.game_id),
        play.member_id,
        play.day.isoformat(),
        str(play.seq),
        str(play.draw),
        play.dice or "",
        play.outcome_code,
        str(play.prize_id or ""),
        str(play.points),
        _status_at_play(play),
        play.rules_digest or "",
        play.played_at.astimezone(UTC).isoformat(),
        play.prev_digest or "",
    )
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


def _draw(game: Game, prizes: Sequence[GamePrize]) -> tuple[int, str | None, str, str, GamePrize | None]:
    """The CSPRNG's draw and what it gives: (draw, dice, outcome code, outcome name, the prize)."""
    by_code = {prize.code: prize for prize in prizes}
    if game.kind == "bobing":
        ranking = dice.ranking(rules_of(game))
        draw = dice.roll()
        code = ranking.outcome(draw)
        rolled = "".join(str(face) for face in dice.dice_of(draw))
        return draw, rolled, code, ranking.name(code), by_code.get(code)
    draw = secrets.randbelow(MILLION)
    return (draw, None, *_egg(prizes, draw))


def _egg(prizes: Sequence[GamePrize], draw: int) -> tuple[str, str, GamePrize | None]:
    edge = 0
    for prize in prizes:
        edge += prize.probability_ppm or 0
        if draw < edge:
            return prize.code, prize.name, prize
    return NO_PRIZE, EGG_NOTHING, None


def _open(game: Game, now: datetime) -> None:
    if game.status == "closed":
        raise GameNotOpen("本场游戏已结束", status_now=game.status)
    if game.status != "published" or now < game.starts_at:
        raise GameNotOpen(
            f"游戏将于 {game.starts_at.astimezone(BEIJING):%m月%d日 %H:%M} 开始", starts_at=game.starts_at
        )
    if now >= game.ends_at:
        raise GameNotOpen("本场游戏已结束", ends_at=game.ends_at)


async def play(
    session: AsyncSession,
    game_id: uuid.UUID,
    member_id: str,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Played:
    """One roll (or one egg) for the member; see the module's doc for the order of locks."""
    now = now or datetime.now(UTC)
    if idempotency_key is not None:
        await repository.lock_idempotency_key(session, member_id, idempotency_key)
        if (done := await repository.play_by_key(session, member_id, idempotency_key)) is not None:
            if done.game_id != game_id:
                raise IdempotencyKeyReused(
                    "Idempotency-Key: already used for another game", field="Idempotency-Key"
                )
            return await _played(session, done)
    game = await _game(session, game_id)
    if not _visible_to(game, await _member_tier(session, member_id)):
        raise GameNotFound(f"game {game_id} does not exist")
    _open(game, now)
    prizes = await repository.prizes_of(session, [game.id])
    if exhausted(game, prizes):
        raise BudgetExhausted("本场奖池已经发完了，感谢参与")
    day = beijing_day(now)
    counted = await repository.count_play(session, game.id, member_id, day, game.plays_per_day)
    if counted is None:
        raise DailyLimitReached(
            f"今天的 {game.plays_per_day} 次机会已用完，明天再来", plays_per_day=game.plays_per_day
        )
    seq, prev_digest = counted
    draw, rolled, code, name, prize = _draw(game, prizes)
    play_id = uuid.uuid4()
    status, paid_points, entry_id = "none", 0, None
    if prize is not None:
        status = await _pay(session, game, prize, member_id)
        if status == "paid":
            entry = await points.credit(
                session,
                member_id,
                prize.points,
                "game",
                source_key=f"game_play:{play_id}",
                reference_id=str(play_id),
                note=f"{game.name}：{name}",
                now=now,
            )
            paid_points, entry_id = prize.points, None if entry is None else entry.id
    record = GamePlay(
        id=play_id,
        game_id=game.id,
        member_id=member_id,
        day=day,
        seq=seq,
        draw=draw,
        dice=rolled,
        outcome_code=code,
        outcome_name=name,
        prize_id=None if prize is None else prize.id,
        prize_name=None if prize is None else prize.name,
        prize_kind=None if prize is None else prize.kind,
        points=paid_points,
        prize_status=status,
        credit_entry_id=entry_id,
        rules_digest=game.rules_digest,
        prev_digest=prev_digest,
        digest="",
        idempotency_key=idempotency_key,
        played_at=now,
    )
    record.digest = play_digest(record)
    await repository.add_play(session, record)
    await repository.chain(session, game.id, member_id, day, record.digest)
    if prize is not None and status in ("paid", "coupon_awarded"):
        await publish_event(
            session,
            GamePrizeWon(
                play_id=str(play_id),
                game_id=str(game.id),
                game_name=game.name,
                game_kind=game.kind,
                member_id=member_id,
                outcome_code=code,
                outcome_name=name,
                prize_name=prize.name,
                prize_kind=prize.kind,
                points=paid_points,
                merchant_id=prize.merchant_id,
                coupon_batch_id=prize.coupon_batch_id,
                won_at=now,
            ),
        )
    return await _played(session, record)


async def _pay(session: AsyncSession, game: Game, prize: GamePrize, member_id: str) -> str:
    """Take the prize from the budget: ``paid`` / ``coupon_awarded``, or ``budget_exhausted``."""
    if prize.kind == "points":
        await points.lock_account(session, member_id)  # before the budget rows: they are held briefly
    if prize.quantity is not None and not await repository.take_units(session, prize.id):
        return "budget_exhausted"
    if prize.kind == "points" and not await repository.take_points(session, game.id, prize.points):
        if prize.quantity is not None:
            await repository.put_unit_back(session, prize.id)
        return "budget_exhausted"
    return "paid" if prize.kind == "points" else "coupon_awarded"


async def _played(session: AsyncSession, record: GamePlay) -> Played:
    game = await _game(session, record.game_id)
    prizes = await repository.prizes_of(session, [game.id])
    counted = await repository.counted(session, game.id, record.member_id, record.day)
    return Played(record, max(0, game.plays_per_day - counted), exhausted(game, prizes))


# --- audit --------------------------------------------------------------------------------------------


async def list_plays(
    session: AsyncSession, game_id: uuid.UUID, member_id: str | None, cursor: str | None, limit: int
) -> Slice[GamePlay]:
    await _game(session, game_id)
    return await repository.list_plays(session, game_id, member_id, cursor, limit)


async def audit(session: AsyncSession, game_id: uuid.UUID, member_id: str, day: date) -> GameAuditRead:
    """Re-derive a member's plays of a day: each outcome from its draw under the game's ranking (or odds),
    each digest from its fields, each link of the chain, and the count against the daily counter."""
    game = await _game(session, game_id)
    prizes = await repository.prizes_of(session, [game.id])
    plays = await repository.plays_of_day(session, game_id, member_id, day)
    counted = await repository.counted(session, game_id, member_id, day)
    problems: list[str] = []
    previous: str | None = None
    for expected_seq, record in enumerate(plays, start=1):
        if record.seq != expected_seq:
            problems.append(f"play {record.id}: number {record.seq}, expected {expected_seq}")
        if record.prev_digest != previous:
            problems.append(f"play {record.id}: does not follow the play before it")
        if play_digest(record) != record.digest:
            problems.append(f"play {record.id}: its digest does not match its fields")
        if game.kind == "bobing":
            if record.rules_digest != game.rules_digest:
                problems.append(f"play {record.id}: decided under another ranking")
            rolled = "".join(str(face) for face in dice.dice_of(record.draw))
            code = dice.ranking(rules_of(game)).outcome(record.draw)
            if record.dice != rolled or record.outcome_code != code:
                problems.append(
                    f"play {record.id}: the draw gives {rolled} → {code},"
                    f" recorded {record.dice} → {record.outcome_code}"
                )
        else:
            code, _, _ = _egg(prizes, record.draw)
            if record.outcome_code != code:
                problems.append(f"play {record.id}: the draw gives {code}, recorded {record.outcome_code}")
        previous = record.digest
    if counted != len(plays):
        problems.append(f"the daily counter holds {counted} plays, {len(plays)} are recorded")
    return GameAuditRead(
        game_id=game_id,
        member_id=member_id,
        day=day,
        plays=len(plays),
        counted=counted,
        verified=not problems,
        problems=problems,
    )


async def fairness(session: AsyncSession, game_id: uuid.UUID) -> GameFairnessRead:
    """The recorded outcomes against the exact probabilities (a chi-square test; None under 100 plays)."""
    game = await _game(session, game_id)
    prizes = await repository.prizes_of(session, [game.id])
    observed = await repository.outcome_counts(session, game_id)
    table = _odds(game.kind, rules_of(game) if game.kind == "bobing" else None, prizes, with_rules=False)
    expected = {outcome.code: Fraction(outcome.rolls, table.total) for outcome in table.outcomes}
    total = sum(observed.values())
    outcomes = [
        GameFairnessOutcome(
            code=outcome.code,
            name=outcome.name,
            observed=observed.get(outcome.code, 0),
            expected=total * outcome.probability,
        )
        for outcome in table.outcomes
    ]
    if total < 100:
        return GameFairnessRead(
            game_id=game_id,
            plays=total,
            outcomes=outcomes,
            chi_square=None,
            degrees_of_freedom=None,
            p_value=None,
        )
    test = dice.chi_square(observed, expected)
    return GameFairnessRead(
        game_id=game_id,
        plays=total,
        outcomes=outcomes,
        chi_square=test.statistic,
        degrees_of_freedom=test.degrees_of_freedom,
        p_value=test.p_value,
    )


async def refuse_coupon(session: AsyncSession, refusal: CouponPrizeRefused) -> GamePlay | None:
    """merchant-svc could not issue a coupon a play won: the unit goes back to the game's budget and the
    play says why. Once: a play already refused is left alone. None when nothing changed."""
    try:
        play_id = uuid.UUID(refusal.play_id)
    except ValueError:
        return None
    record = await repository.get_play(session, play_id, for_update=True)
    if record is None or record.member_id != refusal.member_id or record.prize_status != "coupon_awarded":
        return None
    if record.prize_id is not None:
        await repository.put_unit_back(session, record.prize_id)
    record.prize_status = "coupon_refused"
    record.refusal_reason = refusal.reason
    await session.flush()
    return record
