"""Kafka entry points for ``merchant.events``: the merchant side drives the order's status."""

from __future__ import annotations

from cheyou_events.catalogue.merchant import (
    MerchantOrderAccepted,
    MerchantOrderCompleted,
    MerchantOrderInService,
    MerchantOrderRejected,
    MerchantOrderUnplaceable,
)
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.orders import service


async def on_accepted(session: AsyncSession, event: Envelope[MerchantOrderAccepted]) -> None:
    await service.merchant_accepted(session, event.data)


async def on_in_service(session: AsyncSession, event: Envelope[MerchantOrderInService]) -> None:
    await service.merchant_in_service(session, event.data)


async def on_completed(session: AsyncSession, event: Envelope[MerchantOrderCompleted]) -> None:
    await service.merchant_completed(session, event.data)


async def on_rejected(session: AsyncSession, event: Envelope[MerchantOrderRejected]) -> None:
    await service.merchant_rejected(session, event.data)


async def on_unplaceable(session: AsyncSession, event: Envelope[MerchantOrderUnplaceable]) -> None:
    await service.merchant_unplaceable(session, event.data)
