from __future__ import annotations

from cheyou_kit.db import SessionDep
from cheyou_kit.identity import PrincipalDep
from fastapi import APIRouter

from privilege_svc.access import ensure_can_read_member
from privilege_svc.entitlements import service
from privilege_svc.entitlements.schemas import EntitlementRead, EntitlementsRead

router = APIRouter(prefix="/entitlements", tags=["entitlements"])


@router.get("/{member_id}", response_model=EntitlementsRead)
async def get_entitlements(member_id: str, session: SessionDep, principal: PrincipalDep) -> EntitlementsRead:
    """What the member's tier offers today, with the quota left (the member themself, or staff)."""
    ensure_can_read_member(principal, member_id)
    tier, views = await service.entitlements_for(session, member_id)
    return EntitlementsRead(member_id=member_id, tier=tier, items=[EntitlementRead.of(v) for v in views])
