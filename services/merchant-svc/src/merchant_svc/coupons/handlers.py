"""Kafka entry points for ``privilege.events``: coupon rewards redeemed in the points mall, and coupons
won in club games."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.privilege import GamePrizeWon, RewardRedeemed

from merchant_svc.coupons import service
from merchant_svc.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(RewardRedeemed)
async def on_reward_redeemed(ctx: Context, event: Envelope[RewardRedeemed]) -> None:
    await service.issue_from_mall(ctx.session, event.data)


@subscriptions.on(GamePrizeWon)
async def on_game_prize_won(ctx: Context, event: Envelope[GamePrizeWon]) -> None:
    await service.issue_game_prize(ctx.session, event.data)
