"""Kafka entry points for ``merchant.events``: the merchant side drives the order's status."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.merchant import (
    MerchantOrderAccepted,
    MerchantOrderCompleted,
    MerchantOrderInService,
    MerchantOrderRejected,
    MerchantOrderUnplaceable,
)

from privilege_svc.eventing import Context
from privilege_svc.orders import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(MerchantOrderAccepted)
async def on_accepted(ctx: Context, event: Envelope[MerchantOrderAccepted]) -> None:
    await service.merchant_accepted(ctx.session, event.data)


@subscriptions.on(MerchantOrderInService)
async def on_in_service(ctx: Context, event: Envelope[MerchantOrderInService]) -> None:
    await service.merchant_in_service(ctx.session, event.data)


@subscriptions.on(MerchantOrderCompleted)
async def on_completed(ctx: Context, event: Envelope[MerchantOrderCompleted]) -> None:
    await service.merchant_completed(ctx.session, event.data)


@subscriptions.on(MerchantOrderRejected)
async def on_rejected(ctx: Context, event: Envelope[MerchantOrderRejected]) -> None:
    await service.merchant_rejected(ctx.session, event.data)


@subscriptions.on(MerchantOrderUnplaceable)
async def on_unplaceable(ctx: Context, event: Envelope[MerchantOrderUnplaceable]) -> None:
    await service.merchant_unplaceable(ctx.session, event.data)
