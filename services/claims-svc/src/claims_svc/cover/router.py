from __future__ import annotations

from datetime import date
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.identity import Principal, Role, require_roles
from fastapi import APIRouter, Depends

from claims_svc.cover import service
from claims_svc.cover.schemas import PolicyCoverRead

router = APIRouter(prefix="/cover", tags=["cover"])

StaffDep = Annotated[Principal, Depends(require_roles(Role.SURVEYOR, Role.OPS, Role.ADMIN))]


@router.get("/{customer_no}", response_model=list[PolicyCoverRead])
async def get_cover(customer_no: str, on: date, session: SessionDep, _: StaffDep) -> list[PolicyCoverRead]:
    """The customer's policies in force on a day (claims staff)."""
    return [PolicyCoverRead.model_validate(p) for p in await service.covering(session, customer_no, on)]
