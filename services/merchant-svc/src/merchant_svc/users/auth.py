"""The dependencies naming who acts at a merchant, and who may manage its webhook endpoints."""

from __future__ import annotations

from typing import Annotated

from cheyou_kit.auth import Principal
from cheyou_kit.db import SessionDep
from fastapi import Depends

from merchant_svc.auth import MerchantDep, OpsOrMerchantDep
from merchant_svc.users import service
from merchant_svc.users.service import Actor


async def _actor(principal: MerchantDep, session: SessionDep) -> Actor:
    return await service.actor_of(session, principal)


ActorDep = Annotated[Actor, Depends(_actor)]


async def _webhook_manager(principal: OpsOrMerchantDep, session: SessionDep) -> Principal:
    await service.ensure_may_manage_webhooks(session, principal)
    return principal


WebhookManagerDep = Annotated[Principal, Depends(_webhook_manager)]
"""Ops, or a merchant's admin or integration user: endpoints, their signing secrets and deliveries."""
