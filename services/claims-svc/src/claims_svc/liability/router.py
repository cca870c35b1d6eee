from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cheyou_kit.db import SessionDep
from cheyou_kit.identity import PrincipalDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page, decode_cursor, next_cursor
from fastapi import APIRouter, Response, status

from claims_svc.claims import service as claims
from claims_svc.claims import timeline
from claims_svc.claims.models import Claim
from claims_svc.config import SettingsDep
from claims_svc.liability import service
from claims_svc.liability.models import LiabilityAssessment
from claims_svc.liability.schemas import ConfirmationCreate, LiabilityCreate, LiabilityRead, ScenarioRead
from claims_svc.roles import ClaimReaderDep, MemberDep

scenarios_router = APIRouter(prefix="/liability-scenarios", tags=["liability"])
router = APIRouter(prefix="/claims/{claim_id}/liability", tags=["liability"])


def _read(assessment: LiabilityAssessment, claim: Claim) -> LiabilityRead:
    return LiabilityRead.model_validate(
        {
            **{c: getattr(assessment, c) for c in LiabilityRead.model_fields if hasattr(assessment, c)},
            "member_liability_text": timeline.LIABILITY[assessment.member_liability],
            "other_liability_text": timeline.LIABILITY[assessment.other_liability],
            "claim_status": claim.status,
        }
    )


@scenarios_router.get("", response_model=Page[ScenarioRead])
async def list_scenarios(
    session: SessionDep, _: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[ScenarioRead]:
    """The standard fast-handling scenarios, each with its legal reference."""
    after = decode_cursor(cursor, int)
    rows = await service.scenarios(session, after=after[0] if after else None, limit=limit + 1)
    return Page(
        items=[ScenarioRead.model_validate(r) for r in rows[:limit]],
        next_cursor=next_cursor(rows, limit, lambda r: (r.sort_order,)),
    )


@router.get("", response_model=LiabilityRead)
async def get_liability(claim_id: uuid.UUID, session: SessionDep, principal: ClaimReaderDep) -> LiabilityRead:
    """The proposed split and who has confirmed it."""
    claim = await claims.get_visible(session, claim_id, principal)
    return _read(await service.assessment_of(session, claim), claim)


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
    return _read(assessment, claim)


@router.post("/confirmations", response_model=LiabilityRead)
async def answer_liability(
    claim_id: uuid.UUID,
    body: ConfirmationCreate,
    session: SessionDep,
    principal: MemberDep,
    settings: SettingsDep,
) -> LiabilityRead:
    """A party agrees to the split or disputes it (a dispute goes to police or on-site handling)."""
    claim = await claims.get_visible(session, claim_id, principal, for_update=True)
    assessment = await service.answer(
        session,
        claim,
        party=body.party,
        agree=body.agree,
        phone_last4=body.phone_last4,
        settings=settings,
        now=datetime.now(UTC),
    )
    return _read(assessment, claim)
