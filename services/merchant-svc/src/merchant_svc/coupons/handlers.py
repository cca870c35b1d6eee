"""Kafka entry point for ``privilege.events``: coupon rewards redeemed in the points mall."""

from __future__ import annotations

from cheyou_events.catalogue.privilege import RewardRedeemed
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.coupons import service


async def on_reward_redeemed(session: AsyncSession, event: Envelope[RewardRedeemed]) -> None:
    await service.issue_from_mall(session, event.data)
