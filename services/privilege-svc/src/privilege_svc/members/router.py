from __future__ import annotations

from cheyou_kit.db import SessionDep
from cheyou_kit.errors import Forbidden, NotFound
from cheyou_kit.identity import PrincipalDep, Role
from fastapi import APIRouter

from privilege_svc.members import service
from privilege_svc.members.schemas import MemberTierRead

router = APIRouter(prefix="/entitlements", tags=["entitlements"])


@router.get("/{member_id}/tier", response_model=MemberTierRead)
async def get_member_tier(member_id: str, session: SessionDep, principal: PrincipalDep) -> MemberTierRead:
    """The tier privilege-svc prices a member's orders at (the member themself, or staff)."""
    if principal.role == Role.MEMBER and str(principal.member_id) != member_id:
        raise NotFound(f"member {member_id} is not known")
    if principal.role not in (Role.MEMBER, Role.OPS, Role.ADMIN, Role.MANAGER):
        raise Forbidden(f"role {principal.role} may not read tiers")
    tier = await service.get_tier(session, member_id)
    if tier is None:
        raise NotFound(f"member {member_id} is not known")
    return MemberTierRead.model_validate(tier)
