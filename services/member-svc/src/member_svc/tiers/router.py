from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Query

from member_svc.auth import OpsDep, TierRuleReaderDep
from member_svc.members import service as members_service
from member_svc.tiers import service
from member_svc.tiers.schemas import (
    DryRunRead,
    FloorSet,
    RulesCreate,
    RulesRead,
    RunCreate,
    RunRead,
    TierChangeRead,
    TierStatus,
)

router = APIRouter(prefix="/tier-rules", tags=["tiers"])
member_router = APIRouter(prefix="/members/{member_id}", tags=["tiers"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("", response_model=RulesRead)
async def current_rules(session: SessionDep, _: TierRuleReaderDep) -> RulesRead:
    """The rules in force (the newest version)."""
    return RulesRead.model_validate(await service.current_rules(session))


@router.get("/versions", response_model=list[RulesRead])
async def versions(session: SessionDep, _: OpsDep) -> list[RulesRead]:
    """Every version, newest first: who changed the rules, when and why."""
    return [RulesRead.model_validate(r) for r in await service.rules_versions(session)]


@router.post("", response_model=RulesRead, status_code=201)
async def add_rules(data: RulesCreate, session: SessionDep, principal: OpsDep) -> RulesRead:
    """Publish a new version of the rules; members move at their next evaluation."""
    return RulesRead.model_validate(await service.add_rules(session, data, principal.actor_id))


@router.post("/dry-run", response_model=DryRunRead)
async def dry_run(data: RulesCreate, session: SessionDep, _: OpsDep) -> DryRunRead:
    """How many members these rules would move between tiers if published and evaluated today (the
    same body as publishing); nothing is written."""
    return await service.dry_run(session, data.rules, _now().date())


@router.post("/evaluations", response_model=RunRead, status_code=202)
async def start_evaluation(data: RunCreate, session: SessionDep, principal: OpsDep) -> RunRead:
    """Re-evaluate every verified member in chunks (downgrades due are applied); runs in the background."""
    run = await service.start_run(session, data, principal.actor_id, _now().date())
    return RunRead.model_validate(run)


@router.post("/evaluations/{run_id}/resume", response_model=RunRead, status_code=202)
async def resume_evaluation(run_id: uuid.UUID, session: SessionDep, _: OpsDep) -> RunRead:
    """Continue a run that stopped from its checkpoint."""
    return RunRead.model_validate(await service.resume_run(session, run_id))


@router.get("/evaluations", response_model=list[RunRead])
async def list_evaluations(
    session: SessionDep, _: OpsDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[RunRead]:
    """The latest runs with their progress."""
    return [RunRead.model_validate(r) for r in await service.latest_runs(session, limit)]


@router.get("/evaluations/{run_id}", response_model=RunRead)
async def get_evaluation(run_id: uuid.UUID, session: SessionDep, _: OpsDep) -> RunRead:
    """One run's progress."""
    return RunRead.model_validate(await service.get_run(session, run_id))


@member_router.get("/tier", response_model=TierStatus)
async def tier_status(member_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> TierStatus:
    """The member's tier, contribution, pending downgrade and manual floor."""
    member = await members_service.visible(session, principal, member_id)
    notice = await service.pending_downgrade(session, member)
    return TierStatus(
        member_id=member.id,
        tier=member.tier,
        contribution_fen=member.contribution_fen,
        downgrade_due_on=member.downgrade_due_on,
        downgrade_to=notice.to_tier if notice else None,
        contribution_needed_fen=notice.contribution_needed_fen if notice else None,
        floor=member.tier_floor,
        floor_expires_on=member.tier_floor_expires_on,
    )


@member_router.get("/tier-history", response_model=list[TierChangeRead])
async def tier_history(
    member_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[TierChangeRead]:
    """Every tier change of the member with its reason, newest first."""
    member = await members_service.visible(session, principal, member_id)
    return [TierChangeRead.model_validate(c) for c in await service.history(session, member.id)]


@member_router.put("/tier-floor", response_model=TierStatus)
async def set_floor(
    member_id: uuid.UUID, data: FloorSet, session: SessionDep, principal: OpsDep
) -> TierStatus:
    """Set a manual floor (reason and expiry required); the member is lifted to it at once."""
    member = await members_service.visible(session, principal, member_id)
    await service.set_floor(session, member, data, principal.actor_id, _now())
    return await tier_status(member_id, session, principal)


@member_router.delete("/tier-floor", response_model=TierStatus)
async def lift_floor(
    member_id: uuid.UUID,
    session: SessionDep,
    principal: OpsDep,
    reason: Annotated[str, Query(min_length=2, max_length=500)],
) -> TierStatus:
    """Lift the manual floor; a lower tier then waits for the evaluation like any downgrade."""
    member = await members_service.visible(session, principal, member_id)
    await service.lift_floor(session, member, reason, principal.actor_id, _now())
    await session.refresh(member)
    return await tier_status(member_id, session, principal)
