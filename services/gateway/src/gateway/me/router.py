from __future__ import annotations

from typing import Annotated

from cheyou_kit.identity import Role
from fastapi import APIRouter, Depends, Request

from gateway.auth.authentication import Caller, require_roles
from gateway.me import service
from gateway.me.schemas import MeRead
from gateway.runtime import runtime_of

router = APIRouter(prefix="/me", tags=["me"])

MemberDep = Annotated[Caller, Depends(require_roles(Role.MEMBER))]


@router.get("", response_model=MeRead)
async def me(request: Request, caller: MemberDep) -> MeRead:
    """The member's "Me" page: card, tier, points, privileges, orders, claims, coupons, unread messages."""
    return await service.page(runtime_of(request), caller.principal)
