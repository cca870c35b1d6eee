from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cheyou_events.catalogue.policy import PolicyCancelled, PolicyIssued, PolicyRenewed
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.cover import repository
from claims_svc.cover.models import PolicyCover


async def record_policy(session: AsyncSession, event: PolicyIssued | PolicyRenewed) -> None:
    await repository.upsert(
        session,
        policy_no=event.policy_no,
        customer_no=event.customer_no,
        line=event.line.value,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
    )


async def record_cancellation(session: AsyncSession, event: PolicyCancelled) -> None:
    await repository.cancel(session, event.policy_no, event.cancelled_at)


async def covering(session: AsyncSession, customer_no: str, on: date) -> Sequence[PolicyCover]:
    """The customer's policies in force on a day (a cancelled policy covers nothing)."""
    return await repository.covering(session, customer_no, on)
