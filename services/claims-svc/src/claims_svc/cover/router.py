from __future__ import annotations

from datetime import date

from cheyou_kit.db import SessionDep
from fastapi import APIRouter

from claims_svc.auth import CoverReaderDep
from claims_svc.cover import service
from claims_svc.cover.schemas import PolicyCoverRead

router = APIRouter(prefix="/cover", tags=["cover"])


@router.get("/{customer_no}", response_model=list[PolicyCoverRead])
async def get_cover(
    customer_no: str, on: date, session: SessionDep, _: CoverReaderDep
) -> list[PolicyCoverRead]:
    """The customer's policies in force on a day (claims staff)."""
    return [PolicyCoverRead.model_validate(p) for p in await service.covering(session, customer_no, on)]
