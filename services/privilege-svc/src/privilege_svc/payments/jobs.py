"""The payments' background work, as periodic jobs of the app (``main.create_app``)."""

from __future__ import annotations

from datetime import datetime

from cheyou_kit.app import Resources
from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.config import Settings
from privilege_svc.payments import flows, reconciliation
from privilege_svc.payments.wechatpay import WechatPay

BATCH = 50


def payment_jobs(resources: Resources, settings: Settings, client: WechatPay) -> list[PeriodicJob]:
    """Expiry of unpaid orders and redemptions; closes, refunds and their follow-up; the daily
    reconciliation (one replica at a time)."""

    async def expire(session: AsyncSession, now: datetime) -> int:
        return await flows.expire_due(session, client, now=now, limit=BATCH)

    async def money(session: AsyncSession, now: datetime) -> int:
        return await flows.settle_money(session, client, now=now, limit=BATCH)

    async def reconcile(session: AsyncSession, now: datetime) -> int:
        return await reconciliation.reconcile_yesterday_when_due(
            session, client, now=now, after_hour=settings.reconciliation_after_hour
        )

    sessions = resources.session_factory
    return [
        PeriodicJob(
            "payments-expiry",
            expire,
            sessions=sessions,
            interval_s=settings.payment_job_interval_s,
            batch_size=BATCH,
        ),
        PeriodicJob("payments-money", money, sessions=sessions, interval_s=settings.payment_job_interval_s),
        PeriodicJob(
            "payments-reconciliation",
            reconcile,
            sessions=sessions,
            interval_s=settings.reconciliation_job_interval_s,
            single_replica=True,
        ),
    ]
