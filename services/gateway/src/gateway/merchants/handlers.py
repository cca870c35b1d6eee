"""Kafka entry points for ``merchant.events``: forget cached verifications of keys that stopped working."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.merchant import MerchantApiKeyRevoked, MerchantSuspended

from gateway.eventing import Context
from gateway.merchants.service import running_key_caches

subscriptions = Subscriptions[Context]()


@subscriptions.on(MerchantApiKeyRevoked)
async def on_key_revoked(_ctx: Context, event: Envelope[MerchantApiKeyRevoked]) -> None:
    for keys in running_key_caches():
        await keys.forget_key(event.data.api_key_id)


@subscriptions.on(MerchantSuspended)
async def on_merchant_suspended(_ctx: Context, event: Envelope[MerchantSuspended]) -> None:
    for keys in running_key_caches():
        await keys.forget_merchant(event.data.merchant_id)
