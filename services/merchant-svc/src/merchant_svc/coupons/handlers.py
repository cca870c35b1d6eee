"""Kafka entry points for ``privilege.events``: coupon rewards redeemed in the points mall, and coupons
won in club games."""

from __future__ import annotations

from cheyou_events.catalogue.privilege import GamePrizeWon, RewardRedeemed
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.coupons import service


async def on_reward_redeemed(session: AsyncSession, event: Envelope[RewardRedeemed]) -> None:
    await service.issue_from_mall(session, event.data)


async def on_game_prize_won(session: AsyncSession, event: Envelope[GamePrizeWon]) -> None:
    await service.issue_game_prize(session, event.data)
