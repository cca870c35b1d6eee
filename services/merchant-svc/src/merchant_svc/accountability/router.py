from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, status

from merchant_svc.accountability import service
from merchant_svc.accountability.errors import CaseNotFound
from merchant_svc.accountability.schemas import (
    CaseDetail,
    CaseRead,
    Decision,
    NoteCreate,
    NoteRead,
    Scorecard,
    ServiceRecordRead,
)
from merchant_svc.auth import OpsDep, OpsOrMerchantDep, ensure_merchant_access, merchant_scope

router = APIRouter(prefix="/accountability", tags=["accountability"])
merchants_router = APIRouter(prefix="/merchants", tags=["accountability"])


@router.get("", response_model=Page[CaseRead])
async def list_cases(
    session: SessionDep,
    principal: OpsOrMerchantDep,
    merchant_id: uuid.UUID | None = None,
    status: str | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[CaseRead]:
    """Accountability cases, oldest first (a merchant sees only its own)."""
    rows = await service.list_cases(
        session, merchant_id=merchant_scope(principal, merchant_id), status=status, cursor=cursor, limit=limit
    )
    return rows.page(CaseRead.model_validate)


@router.get("/{case_id}", response_model=CaseDetail)
async def get_case(case_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep) -> CaseDetail:
    """One case with its investigation notes."""
    case_ = await service.get_case(session, case_id)
    ensure_merchant_access(principal, case_.merchant_id, "accountability case")
    notes = [NoteRead.model_validate(n) for n in await service.notes_of(session, case_id)]
    return CaseDetail(**CaseRead.model_validate(case_).model_dump(), notes=notes)


@router.post("/{case_id}/notes", status_code=status.HTTP_201_CREATED, response_model=NoteRead)
async def add_note(case_id: uuid.UUID, data: NoteCreate, session: SessionDep, principal: OpsDep) -> NoteRead:
    """Add an investigation note (ops)."""
    author = principal.actor_id
    return NoteRead.model_validate(await service.add_note(session, case_id, author, data.text))


@router.post("/{case_id}/decision", response_model=CaseRead)
async def decide(case_id: uuid.UUID, data: Decision, session: SessionDep, principal: OpsDep) -> CaseRead:
    """Close the case: no fault, warning, penalty or suspension (ops)."""
    decided_by = principal.actor_id
    return CaseRead.model_validate(await service.decide(session, case_id, data, decided_by))


@merchants_router.get("/{merchant_id}/scorecard", response_model=Scorecard)
async def scorecard(
    merchant_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep, since: datetime | None = None
) -> Scorecard:
    """Satisfaction, SLA hit rate and complaint rate (default: the last 90 days)."""
    ensure_merchant_access(principal, merchant_id)
    return await service.scorecard(session, merchant_id, since)


@merchants_router.get("/{merchant_id}/service-records/{order_id}", response_model=ServiceRecordRead)
async def service_record(
    merchant_id: uuid.UUID, order_id: str, session: SessionDep, principal: OpsOrMerchantDep
) -> ServiceRecordRead:
    """The service record of one order."""
    ensure_merchant_access(principal, merchant_id)
    record = await service.record_by_order(session, order_id)
    ensure_merchant_access(principal, record.merchant_id, "service record")
    if record.merchant_id != merchant_id:
        raise CaseNotFound(f"no service record for order {order_id} at merchant {merchant_id}")
    return ServiceRecordRead.model_validate(record)
