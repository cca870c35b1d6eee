"""Kafka entry point for ``merchant.events``: a coupon a play won that merchant-svc could not issue."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.merchant import CouponPrizeRefused

from privilege_svc.eventing import Context
from privilege_svc.games import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(CouponPrizeRefused)
async def on_coupon_prize_refused(ctx: Context, event: Envelope[CouponPrizeRefused]) -> None:
    await service.refuse_coupon(ctx.session, event.data)
