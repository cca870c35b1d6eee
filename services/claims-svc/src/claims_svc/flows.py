"""Work that spans domains: withdrawing a claim also takes it out of the survey queue and frees its
injury-mediation slots."""

from __future__ import annotations

from datetime import datetime

from cheyou_events.catalogue.claims import ClaimWithdrawn, WithdrawalDeclined, WithdrawalRequested
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.appointments import service as appointments
from claims_svc.claims.errors import NoWithdrawalRequest, WithdrawalNotAllowed
from claims_svc.claims.lifecycle import MEMBER_MAY_WITHDRAW, WITHDRAWAL_NEEDS_APPROVAL, ClaimStatus
from claims_svc.claims.models import Claim
from claims_svc.claims.service import emit, move, record_step
from claims_svc.surveys import repository as survey_tasks

S = ClaimStatus


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
        record_step(
            session,
            claim,
            "withdrawal_requested",
            "已收到您的撤案申请。案件已进入理算审核，需理赔人员审核同意后才能撤案，请耐心等待。",
            now,
        )
        await emit(
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
    record_step(
        session,
        claim,
        "withdrawal_declined",
        f"您的撤案申请未获同意（{reason or '案件需继续处理'}），案件继续处理。",
        now,
    )
    await emit(
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
    await move(
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
