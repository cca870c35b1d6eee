from __future__ import annotations

from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Query, status

from privilege_svc.auth import Operator, OperatorOnly, SignedIn, ensure_can_read_member
from privilege_svc.points import service
from privilege_svc.points.schemas import (
    AdjustmentCreate,
    BalanceRead,
    EntryRead,
    ExpiringRead,
    MaintenanceRead,
    RuleRead,
    RuleUpdate,
)

router = APIRouter(prefix="/points", tags=["points"])


@router.get("/rules", response_model=list[RuleRead], dependencies=[SignedIn])
async def list_rules(session: SessionDep) -> list[RuleRead]:
    """The earning rules (points per occurrence, caps, validity)."""
    return [RuleRead.model_validate(r) for r in await service.rules(session)]


@router.patch("/rules/{code}", response_model=RuleRead)
async def update_rule(code: str, body: RuleUpdate, session: SessionDep, principal: Operator) -> RuleRead:
    """Ops: change an earning rule."""
    return RuleRead.model_validate(await service.update_rule(session, code, body, actor=principal.actor_id))


@router.post("/maintenance-runs", response_model=MaintenanceRead, dependencies=[OperatorOnly])
async def run_maintenance(
    session: SessionDep, remind_days: Annotated[int, Query(ge=1, le=365)] = 30
) -> MaintenanceRead:
    """Ops: expire due points and send expiry reminders now (the service also does it on a schedule)."""
    expired = await service.expire_due(session)
    reminded = await service.remind_expiring(session, days=remind_days)
    return MaintenanceRead(members_expired=expired, reminders_sent=reminded)


@router.get("/{member_id}", response_model=BalanceRead)
async def get_balance(member_id: str, session: SessionDep, principal: PrincipalDep) -> BalanceRead:
    """The member's spendable points and what expires when."""
    ensure_can_read_member(principal, member_id)
    result = await service.balance(session, member_id)
    return BalanceRead(
        member_id=member_id,
        balance=result.balance,
        qualifying_points=result.qualifying_points,
        lifetime_earned=result.lifetime_earned,
        expiring=[ExpiringRead(points=p, expires_at=at) for at, p in result.expiring],
    )


@router.get("/{member_id}/entries", response_model=Page[EntryRead])
async def list_entries(
    member_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[EntryRead]:
    """The member's ledger, newest first."""
    ensure_can_read_member(principal, member_id)
    return (await service.entries(session, member_id, cursor, limit)).page(EntryRead.model_validate)


@router.post("/{member_id}/adjustments", response_model=EntryRead, status_code=status.HTTP_201_CREATED)
async def adjust(
    member_id: str, body: AdjustmentCreate, session: SessionDep, principal: Operator
) -> EntryRead:
    """Ops: add or remove points by hand, with a reason (audited in the ledger)."""
    return EntryRead.model_validate(await service.adjust(session, member_id, body, actor=principal.actor_id))
