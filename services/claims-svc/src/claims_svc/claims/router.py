from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Response, status

from claims_svc import flows
from claims_svc.auth import (
    AdjusterDep,
    ClaimListerDep,
    ClaimReaderDep,
    MemberDep,
    ReporterDep,
    reporting_for,
)
from claims_svc.claims import service
from claims_svc.claims.schemas import (
    AdjudicationCreate,
    ClaimCreate,
    ClaimRead,
    ClaimStepRead,
    ClaimUpdate,
    PaymentCreate,
    ReopeningCreate,
    WithdrawalCreate,
    WithdrawalDecision,
    WithdrawalRead,
)
from claims_svc.config import SettingsDep

router = APIRouter(prefix="/claims", tags=["claims"])


@router.post("", response_model=ClaimRead, status_code=status.HTTP_201_CREATED)
async def report_claim(
    body: ClaimCreate, session: SessionDep, principal: ReporterDep, settings: SettingsDep
) -> ClaimRead:
    """One-click report (一键报案): the claim number is assigned at once."""
    member, staff = reporting_for(principal, body.member_id)
    claim = await flows.report(
        session, member_id=member, data=body, settings=settings, now=datetime.now(UTC), staff_id=staff
    )
    return ClaimRead.of(claim)


@router.get("", response_model=Page[ClaimRead])
async def list_claims(
    session: SessionDep,
    principal: ClaimListerDep,
    member_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 20,
) -> Page[ClaimRead]:
    """A member's claims, newest first (the "Me" page's 我的理赔)."""
    claims = await service.list_for(session, principal, member_id=member_id, cursor=cursor, limit=limit)
    return claims.page(ClaimRead.of)


@router.get("/{claim_id}", response_model=ClaimRead)
async def get_claim(claim_id: uuid.UUID, session: SessionDep, principal: ClaimReaderDep) -> ClaimRead:
    """One claim (理赔查询)."""
    return ClaimRead.of(await service.get_visible(session, claim_id, principal))


@router.patch("/{claim_id}", response_model=ClaimRead)
async def complete_report(
    claim_id: uuid.UUID, body: ClaimUpdate, session: SessionDep, principal: MemberDep, settings: SettingsDep
) -> ClaimRead:
    """Add details to the report as the member goes."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    await flows.complete_report(session, claim, body, settings=settings, now=datetime.now(UTC))
    return ClaimRead.of(claim)


@router.get("/{claim_id}/timeline", response_model=Page[ClaimStepRead])
async def get_timeline(
    claim_id: uuid.UUID,
    session: SessionDep,
    principal: ClaimReaderDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ClaimStepRead]:
    """Every step of the claim, oldest first, in words a member understands."""
    claim = await service.get_visible(session, claim_id, principal)
    steps = await service.steps(session, claim, cursor=cursor, limit=limit)
    return steps.page(ClaimStepRead.model_validate)


@router.post("/{claim_id}/withdrawal", response_model=WithdrawalRead)
async def withdraw_claim(
    claim_id: uuid.UUID, body: WithdrawalCreate, session: SessionDep, principal: MemberDep, response: Response
) -> WithdrawalRead:
    """Withdraw (撤案申请): at once before adjudication, else a request an adjuster decides (202)."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    done = await flows.withdraw(session, claim, body.reason, now=datetime.now(UTC))
    if not done:
        response.status_code = status.HTTP_202_ACCEPTED
    return WithdrawalRead(outcome="withdrawn" if done else "requested", claim=ClaimRead.of(claim))


@router.post("/{claim_id}/withdrawal/decision", response_model=ClaimRead)
async def decide_withdrawal(
    claim_id: uuid.UUID, body: WithdrawalDecision, session: SessionDep, principal: AdjusterDep
) -> ClaimRead:
    """An adjuster approves or declines a member's withdrawal request."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    await flows.decide_withdrawal(
        session,
        claim,
        adjuster_id=principal.actor_id,
        approve=body.approve,
        reason=body.reason,
        now=datetime.now(UTC),
    )
    return ClaimRead.of(claim)


@router.post("/{claim_id}/adjudication", response_model=ClaimRead)
async def adjudicate_claim(
    claim_id: uuid.UUID, body: AdjudicationCreate, session: SessionDep, principal: AdjusterDep
) -> ClaimRead:
    """An adjuster approves (with the amount) or rejects the claim."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    await service.adjudicate(
        session,
        claim,
        adjuster_id=principal.actor_id,
        decision=body.decision,
        amount_fen=body.amount_fen,
        reason=body.reason,
        now=datetime.now(UTC),
    )
    return ClaimRead.of(claim)


@router.post("/{claim_id}/payment", response_model=ClaimRead)
async def pay_claim(
    claim_id: uuid.UUID, body: PaymentCreate, session: SessionDep, principal: AdjusterDep
) -> ClaimRead:
    """Record the payment of an approved claim (the claim is settled)."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    await service.pay(session, claim, amount_fen=body.amount_fen, now=datetime.now(UTC))
    return ClaimRead.of(claim)


@router.post("/{claim_id}/closure", response_model=ClaimRead)
async def close_claim(claim_id: uuid.UUID, session: SessionDep, principal: AdjusterDep) -> ClaimRead:
    """Close a paid claim."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    await service.close(session, claim, now=datetime.now(UTC))
    return ClaimRead.of(claim)


@router.post("/{claim_id}/reopening", response_model=ClaimRead)
async def reopen_claim(
    claim_id: uuid.UUID, body: ReopeningCreate, session: SessionDep, principal: AdjusterDep
) -> ClaimRead:
    """Reopen a closed or rejected claim."""
    claim = await service.get_visible(session, claim_id, principal, for_update=True)
    await service.reopen(
        session, claim, adjuster_id=principal.actor_id, reason=body.reason, now=datetime.now(UTC)
    )
    return ClaimRead.of(claim)
