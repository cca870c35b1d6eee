"""Kafka entry points for ``privilege.events``: ratings and complaints."""

from __future__ import annotations

from cheyou_events.catalogue.privilege import ComplaintFiled, PrivilegeOrderRated
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.accountability import service


async def on_order_rated(session: AsyncSession, event: Envelope[PrivilegeOrderRated]) -> None:
    await service.on_rated(session, event.data)


async def on_complaint_filed(session: AsyncSession, event: Envelope[ComplaintFiled]) -> None:
    await service.on_complaint(session, event.data)
