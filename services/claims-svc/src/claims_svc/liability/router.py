from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from cheyou_kit.auth import PrincipalDep, Role
from cheyou_kit.db import ReadSessionDep, SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Response, status

from claims_svc.auth import ClaimReaderDep, MemberDep
from claims_svc.claims import service as claims
from claims_svc.claims import timeline
from claims_svc.config import SettingsDep
from claims_svc.liability import service
from claims_svc.liability.codes import RedisDep
from claims_svc.liability.models import LiabilityAssessment, LiabilityCode
from claims_svc.liability.schemas import (
    ConfirmationCreate,
    ConfirmationRequestRead,
    LiabilityCreate,
    LiabilityRead,
    ScenarioRead,
)
from claims_svc.sms import SmsDep

scenarios_router = APIRouter(prefix="/liability-scenarios", tags=["liability"])
router = APIRouter(prefix="/claims/{claim_id}/liability", tags=["liability"])


def _read(
    assessment: LiabilityAssessment, caller: service.Caller, code: LiabilityCode | None, role: Role
) -> LiabilityRead:
    return LiabilityRead.model_validate(
        {
            **{c: getattr(assessment, c) for c in LiabilityRead.model_fields if hasattr(assessment, c)},
            "member_liability_text": timeline.LIABILITY[assessment.member_liability],
            "other_liability_text": timeline.LIABILITY[assessment.other_liability],
            "code_expires_at": code.expires_at if code is not None else None,
            "answering_as": caller.party if role == Role.MEMBER else None,
            "claim_status": caller.claim.status,
        }
    )


@scenarios_router.get("", response_model=Page[ScenarioRead])
async def list_scenarios(
    session: ReadSessionDep, _: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[ScenarioRead]:
    """The standard fast-handling scenarios, each with its legal reference."""
    return (await service.scenarios(session, cursor=cursor, limit=limit)).page(ScenarioRead.model_validate)


@router.get("", response_model=LiabilityRead)
async def get_liability(
    claim_id: uuid.UUID, session: SessionDep, principal: ClaimReaderDep, settings: SettingsDep
) -> LiabilityRead:
    """The proposed split and who has confirmed it (also for the other party's own member account)."""
    caller = await service.claim_for_party(session, claim_id, principal, settings=settings)
    assessment = await service.assessment_of(session, caller.claim)
    return _read(assessment, caller, await service.open_code(session, caller.claim), principal.role)


@router.post("", response_model=LiabilityRead, responses={202: {"description": "Sent to manual handling."}})
async def propose_liability(
    claim_id: uuid.UUID,
    body: LiabilityCreate,
    session: SessionDep,
    principal: MemberDep,
    settings: SettingsDep,
) -> LiabilityRead | Response:
    """Pick up to three scenarios per party; the assistant proposes the split."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    assessment = await service.propose(
        session,
        claim,
        member_scenarios=body.member_scenarios,
        other_scenarios=body.other_scenarios,
        settings=settings,
        now=datetime.now(UTC),
    )
    if assessment is None:
        return Response(status_code=status.HTTP_202_ACCEPTED)
    return _read(assessment, service.Caller(claim, "member"), None, principal.role)


@router.post(
    "/confirmation-requests",
    response_model=ConfirmationRequestRead,
    status_code=status.HTTP_201_CREATED,
    responses={429: {"description": "Sending limits (per claim, per phone)."}, 502: {"description": "SMS."}},
)
async def request_confirmation(
    claim_id: uuid.UUID,
    session: SessionDep,
    principal: MemberDep,
    settings: SettingsDep,
    sms: SmsDep,
) -> ConfirmationRequestRead:
    """Send the other party a code by SMS (what they agree to is in the message); freezes their phone."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    assessment, code, phone = await service.request_confirmation(
        session, sms, claim, settings=settings, now=datetime.now(UTC)
    )
    assert assessment.confirm_by is not None
    return ConfirmationRequestRead(
        phone=phone,
        sent_at=code.sent_at,
        expires_at=code.expires_at,
        resend_after=code.sent_at + timedelta(seconds=settings.liability_code_resend_seconds),
        confirm_by=assessment.confirm_by,
        attempts=settings.liability_code_max_attempts,
    )


@router.post("/confirmations", response_model=LiabilityRead)
async def answer_liability(
    claim_id: uuid.UUID,
    body: ConfirmationCreate,
    session: SessionDep,
    principal: MemberDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> LiabilityRead:
    """A party agrees to the split or disputes it (a dispute goes to a surveyor on site), with its proof."""
    caller = await service.claim_for_party(session, claim_id, principal, settings=settings, for_update=True)
    assessment = await service.answer(
        session,
        redis,
        caller,
        party=body.party,
        agree=body.agree,
        code=body.code,
        settings=settings,
        now=datetime.now(UTC),
    )
    return _read(assessment, caller, await service.open_code(session, caller.claim), principal.role)
