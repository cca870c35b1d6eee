"""Kafka entry points for ``merchant.events`` about the mall's coupons."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.merchant import CouponIssueRefused

from privilege_svc.eventing import Context
from privilege_svc.rewards import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(CouponIssueRefused)
async def on_coupon_issue_refused(ctx: Context, event: Envelope[CouponIssueRefused]) -> None:
    """The coupon could not be issued: the member gets the points back."""
    await service.refund_refused_coupon(ctx.session, event.data)
