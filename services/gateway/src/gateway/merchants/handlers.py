"""Kafka entry points for ``merchant.events``: forget cached verifications of keys that stopped working."""

from __future__ import annotations

from cheyou_events.catalogue.merchant import MerchantApiKeyRevoked, MerchantSuspended
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.merchants.service import running_key_caches


async def on_key_revoked(_session: AsyncSession, event: Envelope[MerchantApiKeyRevoked]) -> None:
    for keys in running_key_caches():
        await keys.forget_key(event.data.api_key_id)


async def on_merchant_suspended(_session: AsyncSession, event: Envelope[MerchantSuspended]) -> None:
    for keys in running_key_caches():
        await keys.forget_merchant(event.data.merchant_id)
