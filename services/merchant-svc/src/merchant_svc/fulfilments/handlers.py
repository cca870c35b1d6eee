"""Kafka entry points for ``privilege.events``: orders requested and cancelled."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.privilege import PrivilegeOrderCancelled, PrivilegeOrderRequested

from merchant_svc.eventing import Context
from merchant_svc.fulfilments import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(PrivilegeOrderRequested)
async def on_order_requested(ctx: Context, event: Envelope[PrivilegeOrderRequested]) -> None:
    await service.record_request(ctx.session, event.data)


@subscriptions.on(PrivilegeOrderCancelled)
async def on_order_cancelled(ctx: Context, event: Envelope[PrivilegeOrderCancelled]) -> None:
    await service.cancel(ctx.session, event.data)
