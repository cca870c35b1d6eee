"""Kafka entry point for ``merchant.events``: a coupon a play won that merchant-svc could not issue."""

from __future__ import annotations

from cheyou_events import Envelope
from cheyou_events.catalogue.merchant import CouponPrizeRefused
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.games import service


async def on_coupon_prize_refused(session: AsyncSession, event: Envelope[CouponPrizeRefused]) -> None:
    await service.refuse_coupon(session, event.data)
