"""The policy projection follows the core feed, through the real broker and the service's consumer."""

import uuid
from datetime import UTC, datetime

import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyRenewed,
)
from cheyou_kit.testing import eventually, publish
from member_svc.config import Settings
from member_svc.policies import repository
from member_svc.policies.models import Policy
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from ..factories import policy_issued  # noqa: TID252

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def find(settings: Settings, policy_no: str, status: str) -> Policy | None:
    engine = create_async_engine(settings.sqlalchemy_url)
    try:
        async with AsyncSession(engine) as session:
            policy = await repository.get(session, policy_no)
            return policy if policy is not None and policy.status == status else None
    finally:
        await engine.dispose()


class TestPolicyFeed:
    @pytest.mark.usefixtures("client")  # the running app is what consumes the topic
    async def test_issued_renewed_and_cancelled_policies_are_projected_once(
        self, service_settings: Settings
    ) -> None:
        customer, old, new = (
            f"C{uuid.uuid4().hex[:8]}",
            f"P{uuid.uuid4().hex[:8]}",
            f"P{uuid.uuid4().hex[:8]}",
        )
        first = Envelope.new(policy_issued(customer, old), source="core-policy")
        renewal = PolicyRenewed(
            **{**policy_issued(customer, new).model_dump(exclude={"issued_at"}), "policy_no": new},
            previous_policy_no=old,
            renewed_at=NOW,
        )
        cancellation = PolicyCancelled(
            policy_no=old, customer_no=customer, reason="renewed early", refund_fen=0, cancelled_at=NOW
        )
        # The first event twice: a redelivery must change nothing.
        await publish(
            service_settings.kafka_bootstrap_servers,
            first,
            first,
            Envelope.new(renewal, source="core-policy"),
            Envelope.new(cancellation, source="core-policy"),
        )

        renewed = await eventually(lambda: find(service_settings, new, "active"))
        cancelled = await eventually(lambda: find(service_settings, old, "cancelled"))

        assert renewed.previous_policy_no == old
        assert renewed.premium_fen == 356_000
        assert cancelled.customer_no == customer
