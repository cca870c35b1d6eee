"""Work that spans domains: a report (and a detail the member adds later) that self-service cannot
handle queues a surveyor on site, and the other party's phone stays what liability asked them on;
withdrawing a claim also takes it out of the survey queue and frees its injury-mediation slots."""

from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_events.catalogue.claims import ClaimWithdrawn, WithdrawalDeclined, WithdrawalRequested
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.appointments import service as appointments
from claims_svc.claims import service as claims
from claims_svc.claims.errors import NoWithdrawalRequest, WithdrawalNotAllowed
from claims_svc.claims.lifecycle import MEMBER_MAY_WITHDRAW, WITHDRAWAL_NEEDS_APPROVAL, ClaimStatus
from claims_svc.claims.models import Claim
from claims_svc.claims.schemas import ClaimCreate, ClaimDetails
from claims_svc.config import Settings
from claims_svc.liability import service as liability
from claims_svc.surveys import repository as survey_tasks
from claims_svc.surveys import service as surveys

S = ClaimStatus


async def report(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    data: ClaimCreate,
    settings: Settings,
    now: datetime,
    staff_id: str | None = None,
) -> Claim:
    """A first notice of loss (``claims.register``), routed on site with a surveyor queued when
    self-service cannot handle it."""
    claim = await claims.register(
        session, member_id=member_id, data=data, settings=settings, now=now, staff_id=staff_id
    )
    await _route(session, claim, settings, now)
    return claim


async def complete_report(
    session: AsyncSession, claim: Claim, details: ClaimDetails, *, settings: Settings, now: datetime
) -> Claim:
    """The member completes the report as they go; once liability asked the other party to confirm,
    their phone stays; a new reason can still route the claim on site."""
    asked_at = await liability.confirmation_requested_at(session, claim)
    claims.update_details(claim, details, other_party_asked_at=asked_at, settings=settings, now=now)
    await _route(session, claim, settings, now)
    return claim


async def _route(session: AsyncSession, claim: Claim, settings: Settings, now: datetime) -> None:
    reasons = claims.routing_reasons(claim, settings)
    if reasons:
        await surveys.route_on_site(session, claim, reasons, settings=settings, at=now)


async def withdraw(session: AsyncSession, claim: Claim, reason: str, *, now: datetime) -> bool:
    """Withdraw (True) before adjudication; under adjudication file a request for an adjuster (False)."""
    status = S(claim.status)
    if status in MEMBER_MAY_WITHDRAW:
        await _withdrawn(session, claim, reason, now)
        return True
    if status in WITHDRAWAL_NEEDS_APPROVAL:
        if claim.withdrawal_requested_at is not None:
            raise WithdrawalNotAllowed("a withdrawal request is already waiting for an adjuster")
        claim.withdrawal_requested_at = now
        claim.withdrawal_reason = reason
        claim.updated_at = now
        claims.record_step(
            session,
            claim,
            "withdrawal_requested",
            "已收到您的撤案申请。案件已进入理算审核，需理赔人员审核同意后才能撤案，请耐心等待。",
            now,
        )
        await claims.emit(
            session,
            WithdrawalRequested(
                claim_id=str(claim.id), member_id=str(claim.member_id), reason=reason, requested_at=now
            ),
        )
        return False
    raise WithdrawalNotAllowed(
        f"a claim that is {claim.status} cannot be withdrawn", claim_status=claim.status
    )


async def decide_withdrawal(
    session: AsyncSession, claim: Claim, *, adjuster_id: str, approve: bool, reason: str, now: datetime
) -> None:
    if claim.withdrawal_requested_at is None:
        raise NoWithdrawalRequest()
    if approve:
        await _withdrawn(session, claim, claim.withdrawal_reason or reason, now)
        return
    claim.withdrawal_requested_at = None
    claim.updated_at = now
    claims.record_step(
        session,
        claim,
        "withdrawal_declined",
        f"您的撤案申请未获同意（{reason or '案件需继续处理'}），案件继续处理。",
        now,
    )
    await claims.emit(
        session,
        WithdrawalDeclined(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            adjuster_id=adjuster_id,
            reason=reason,
            declined_at=now,
        ),
    )


async def _withdrawn(session: AsyncSession, claim: Claim, reason: str, now: datetime) -> None:
    claim.withdrawal_reason = reason
    claim.withdrawal_requested_at = None
    await claims.move(
        session,
        claim,
        S.WITHDRAWN,
        text=f"案件已撤销（撤案原因：{reason}）。",
        at=now,
        event=ClaimWithdrawn(
            claim_id=str(claim.id), member_id=str(claim.member_id), reason=reason, withdrawn_at=now
        ),
    )
    await survey_tasks.remove(session, claim.id)
    await appointments.cancel_all(session, claim, now=now)
