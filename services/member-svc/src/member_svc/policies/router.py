from __future__ import annotations

from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.identity import Principal, Role, require_roles
from fastapi import APIRouter, Depends

from member_svc.policies import service
from member_svc.policies.schemas import PolicyRead

router = APIRouter(prefix="/policies", tags=["policies"])

StaffDep = Annotated[Principal, Depends(require_roles(Role.REVIEWER, Role.MANAGER, Role.OPS, Role.ADMIN))]


@router.get("/{policy_no}", response_model=PolicyRead)
async def get_policy(policy_no: str, session: SessionDep, _: StaffDep) -> PolicyRead:
    """One policy as the core system last described it (staff only)."""
    return PolicyRead.model_validate(await service.get(session, policy_no))
