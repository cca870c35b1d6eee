from __future__ import annotations

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.errors import NotFound
from fastapi import APIRouter

from privilege_svc.auth import ensure_can_read_member
from privilege_svc.member_projection import service
from privilege_svc.member_projection.schemas import MemberTierRead

router = APIRouter(prefix="/entitlements", tags=["entitlements"])


@router.get("/{member_id}/tier", response_model=MemberTierRead)
async def get_member_tier(member_id: str, session: SessionDep, principal: PrincipalDep) -> MemberTierRead:
    """The tier privilege-svc prices a member's orders at (the member themself, or ops; managers see
    their own customers' tiers in member-svc, which knows whose customers they are)."""
    ensure_can_read_member(principal, member_id)
    tier = await service.get_tier(session, member_id)
    if tier is None:
        raise NotFound(f"member {member_id} is not known")
    return MemberTierRead.model_validate(tier)
