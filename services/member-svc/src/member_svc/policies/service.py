"""Keeps the policy projection in step with the core system's feed."""

from __future__ import annotations

from collections.abc import Sequence

from cheyou_events.catalogue.policy import PolicyCancelled, PolicyIssued, PolicyRenewed
from cheyou_kit.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.policies import repository
from member_svc.policies.models import Policy

ACTIVE, CANCELLED = "active", "cancelled"
PROJECTED = {
    "policy_no", "customer_no", "previous_policy_no", "line", "vehicle_kind", "premium_fen", "starts_on",
    "ends_on", "branch_code",
}  # fmt: skip


async def record_issued(session: AsyncSession, event: PolicyIssued | PolicyRenewed) -> None:
    values = event.model_dump(include=PROJECTED)
    values.setdefault("previous_policy_no", None)
    at = event.renewed_at if isinstance(event, PolicyRenewed) else event.issued_at
    await repository.upsert(session, {**values, "status": ACTIVE}, at)


async def record_cancelled(session: AsyncSession, event: PolicyCancelled) -> None:
    # A cancellation may overtake the issue only across partitions, and the feed is keyed by customer,
    # so an unknown policy here means the core system never told us about it: nothing to update.
    await repository.set_status(session, event.policy_no, CANCELLED, event.cancelled_at)


async def get(session: AsyncSession, policy_no: str) -> Policy:
    policy = await repository.get(session, policy_no)
    if policy is None:
        raise NotFound(f"policy {policy_no} is not known")
    return policy


async def list_for_customer(session: AsyncSession, customer_no: str) -> Sequence[Policy]:
    return await repository.list_for_customer(session, customer_no)
