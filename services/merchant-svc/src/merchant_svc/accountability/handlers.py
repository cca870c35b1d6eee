"""Kafka entry points for ``privilege.events``: ratings and complaints."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.privilege import ComplaintFiled, PrivilegeOrderRated

from merchant_svc.accountability import service
from merchant_svc.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(PrivilegeOrderRated)
async def on_order_rated(ctx: Context, event: Envelope[PrivilegeOrderRated]) -> None:
    await service.on_rated(ctx.session, event.data)


@subscriptions.on(ComplaintFiled)
async def on_complaint_filed(ctx: Context, event: Envelope[ComplaintFiled]) -> None:
    await service.on_complaint(ctx.session, event.data)
