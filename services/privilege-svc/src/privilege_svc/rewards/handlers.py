"""Kafka entry points for ``merchant.events`` about the mall's coupons."""

from __future__ import annotations

from cheyou_events.catalogue.merchant import CouponIssueRefused
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.rewards import service


async def on_coupon_issue_refused(session: AsyncSession, event: Envelope[CouponIssueRefused]) -> None:
    """The coupon could not be issued: the member gets the points back."""
    await service.refund_refused_coupon(session, event.data)
