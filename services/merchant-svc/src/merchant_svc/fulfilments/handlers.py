"""Kafka entry points for ``privilege.events``."""

from __future__ import annotations

from cheyou_events.catalogue.privilege import PrivilegeOrderRequested
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.fulfilments import service


async def on_order_requested(session: AsyncSession, event: Envelope[PrivilegeOrderRequested]) -> None:
    await service.record_request(session, event.data)
