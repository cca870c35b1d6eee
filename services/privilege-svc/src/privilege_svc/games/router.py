from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Header, Query, status

from privilege_svc.auth import (
    Operator,
    OperatorOnly,
    StaffReaderOnly,
    acting_member,
    listed_member,
    member_or_staff_reader,
)
from privilege_svc.games import service
from privilege_svc.games.models import GamePlay
from privilege_svc.games.schemas import (
    GameAuditRead,
    GameBudgetTopUp,
    GameCreate,
    GameFairnessRead,
    GameOddsRead,
    GamePlayAuditRead,
    GamePlayRead,
    GameRead,
)

router = APIRouter(prefix="/games", tags=["games"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)]


def _play(record: GamePlay, plays_left: int | None = None, exhausted: bool | None = None) -> GamePlayRead:
    return GamePlayRead(
        id=record.id,
        game_id=record.game_id,
        member_id=record.member_id,
        day=record.day,
        seq=record.seq,
        dice=None if record.dice is None else [int(face) for face in record.dice],
        outcome_code=record.outcome_code,
        outcome_name=record.outcome_name,
        prize_name=record.prize_name,
        prize_kind=record.prize_kind,
        points=record.points,
        prize_status=record.prize_status,
        refusal_reason=record.refusal_reason,
        played_at=record.played_at,
        plays_left_today=plays_left,
        budget_exhausted=exhausted,
    )


@router.post("", response_model=GameRead, status_code=status.HTTP_201_CREATED)
async def create_game(body: GameCreate, session: SessionDep, principal: Operator) -> GameRead:
    """Ops: a 博饼 or golden-egg game with its prizes and budget, as a draft."""
    return await service.create(session, body, created_by=principal.actor_id)


@router.get("", response_model=Page[GameRead])
async def list_games(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[GameRead]:
    """Staff: every game. A member: the games open now for their tier, with their plays left today."""
    items, next_cursor = await service.list_games(
        session, member_id=member_or_staff_reader(principal), cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/bobing-ranking", response_model=GameOddsRead)
async def bobing_ranking(principal: PrincipalDep) -> GameOddsRead:
    """The default 博饼 ranking (data) with each outcome's exact probability over the 46,656 rolls."""
    member_or_staff_reader(principal)
    return service.default_ranking()


@router.get("/{game_id}", response_model=GameRead)
async def get_game(game_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> GameRead:
    """One game (a member sees only published games for their tier, with their plays left today)."""
    return await service.get(session, game_id, member_id=member_or_staff_reader(principal))


@router.get("/{game_id}/odds", response_model=GameOddsRead)
async def game_odds(game_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> GameOddsRead:
    """The game's outcomes with their exact probabilities, prizes and the expected points per play."""
    return await service.odds(session, game_id, member_id=member_or_staff_reader(principal))


@router.post("/{game_id}/publish", response_model=GameRead, dependencies=[OperatorOnly])
async def publish_game(game_id: uuid.UUID, session: SessionDep) -> GameRead:
    """Ops: members can play it from its start (its ranking and odds are frozen)."""
    return await service.publish(session, game_id)


@router.post("/{game_id}/close", response_model=GameRead, dependencies=[OperatorOnly])
async def close_game(game_id: uuid.UUID, session: SessionDep) -> GameRead:
    """Ops: no more plays."""
    return await service.close(session, game_id)


@router.post("/{game_id}/budget-top-ups", response_model=GameRead, dependencies=[OperatorOnly])
async def top_up_budget(game_id: uuid.UUID, body: GameBudgetTopUp, session: SessionDep) -> GameRead:
    """Ops: add points to the game's budget."""
    return await service.top_up(session, game_id, body.points)


@router.post("/{game_id}/plays", response_model=GamePlayRead, status_code=status.HTTP_201_CREATED)
async def play(
    game_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, idempotency_key: IdempotencyKey = None
) -> GamePlayRead:
    """The member rolls the dice (or smashes an egg): the outcome, the prize, the plays left today."""
    played = await service.play(session, game_id, acting_member(principal), idempotency_key=idempotency_key)
    return _play(played.play, played.plays_left_today, played.budget_exhausted)


@router.get("/{game_id}/plays", response_model=Page[GamePlayRead])
async def list_plays(
    game_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    member_id: str | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[GamePlayRead]:
    """Plays, newest first: a member's own, or (staff) anyone's."""
    rows = await service.list_plays(session, game_id, listed_member(principal, member_id), cursor, limit)
    return rows.page(_play)


@router.get("/{game_id}/audit", response_model=GameAuditRead, dependencies=[StaffReaderOnly])
async def audit_plays(
    game_id: uuid.UUID,
    session: SessionDep,
    member_id: Annotated[str, Query(min_length=1, max_length=64)],
    day: date,
) -> GameAuditRead:
    """Staff: re-derive a member's plays of a day (draw → outcome, digests, chain, daily count)."""
    return await service.audit(session, game_id, member_id, day)


@router.get("/{game_id}/audit/plays", response_model=Page[GamePlayAuditRead], dependencies=[StaffReaderOnly])
async def audit_play_list(
    game_id: uuid.UUID,
    session: SessionDep,
    member_id: str | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[GamePlayAuditRead]:
    """Staff: plays with their draws, ranking digests and chain digests."""
    rows = await service.list_plays(session, game_id, member_id, cursor, limit)
    return rows.page(
        lambda record: GamePlayAuditRead(
            **_play(record).model_dump(exclude={"message"}),
            draw=record.draw,
            rules_digest=record.rules_digest,
            prev_digest=record.prev_digest,
            digest=record.digest,
        )
    )


@router.get("/{game_id}/fairness", response_model=GameFairnessRead, dependencies=[StaffReaderOnly])
async def fairness(game_id: uuid.UUID, session: SessionDep) -> GameFairnessRead:
    """Staff: the recorded outcomes against the exact probabilities (chi-square)."""
    return await service.fairness(session, game_id)
