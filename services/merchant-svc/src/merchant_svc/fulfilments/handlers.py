"""Kafka entry points for ``privilege.events``: orders requested and cancelled."""

from __future__ import annotations

from cheyou_events.catalogue.privilege import PrivilegeOrderCancelled, PrivilegeOrderRequested
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.fulfilments import service


async def on_order_requested(session: AsyncSession, event: Envelope[PrivilegeOrderRequested]) -> None:
    await service.record_request(session, event.data)


async def on_order_cancelled(session: AsyncSession, event: Envelope[PrivilegeOrderCancelled]) -> None:
    await service.cancel(session, event.data)
