from __future__ import annotations

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import ReadSessionDep
from fastapi import APIRouter, Request

from privilege_svc.auth import ensure_can_read_member
from privilege_svc.entitlements import service
from privilege_svc.entitlements.schemas import EntitlementRead, EntitlementsRead
from privilege_svc.privileges.catalogue import CatalogueDep

router = APIRouter(prefix="/entitlements", tags=["entitlements"])


@router.get("/{member_id}", response_model=EntitlementsRead)
async def get_entitlements(
    member_id: str,
    session: ReadSessionDep,
    principal: PrincipalDep,
    catalogue: CatalogueDep,
    request: Request,
) -> EntitlementsRead:
    """What the member's tier offers today, with the quota left (the member themself, or staff)."""
    ensure_can_read_member(principal, member_id)
    rows = await catalogue.rows(request.app.state.session_factory)
    tier, views = await service.entitlements_for(session, member_id, catalogue_rows=rows)
    return EntitlementsRead(member_id=member_id, tier=tier, items=[EntitlementRead.of(v) for v in views])
