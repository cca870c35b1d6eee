"""The dependency naming who acts at a merchant."""

from __future__ import annotations

from typing import Annotated

from cheyou_kit.db import SessionDep
from fastapi import Depends

from merchant_svc.access import MerchantDep
from merchant_svc.users import service
from merchant_svc.users.service import Actor


async def _actor(principal: MerchantDep, session: SessionDep) -> Actor:
    return await service.actor_of(session, principal)


ActorDep = Annotated[Actor, Depends(_actor)]
