"""A renewal from the core feed lifts a member across a threshold and ``member.tier_changed`` goes out."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import PolicyRenewed
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, publish
from member_svc.config import Settings

from ..factories import holder_hash, member_events, policy_issued, register, verify  # noqa: TID252

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class TestPolicyRenewed:
    @pytest.mark.usefixtures("client")
    async def test_a_renewal_across_the_threshold_puts_tier_changed_on_the_topic(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        holder = holder_hash(service_settings, member["id_number"])
        customer, old, new = (
            f"C{uuid.uuid4().hex[:8]}",
            f"P{uuid.uuid4().hex[:8]}",
            f"P{uuid.uuid4().hex[:8]}",
        )
        renewal = PolicyRenewed(
            **{
                **policy_issued(
                    customer,
                    new,
                    holder_id_hash=holder,
                    premium_fen=700_000,
                    selling_unit="FZ01",
                    selling_manager_id="manager2",
                ).model_dump(exclude={"issued_at"})
            },
            previous_policy_no=old,
            renewed_at=NOW,
        )

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(
                policy_issued(
                    customer,
                    old,
                    holder_id_hash=holder,
                    premium_fen=300_000,
                    selling_unit="FZ01",
                    selling_manager_id="manager2",
                ),
                source="core-policy",
            ),
            Envelope.new(renewal, source="core-policy"),
        )

        changes = await member_events(
            service_settings.kafka_bootstrap_servers, member["member_id"], "cheyou.member.tier_changed.v1", 2
        )
        assert [(c["from_tier"], c["to_tier"], c["reason"]) for c in changes] == [
            ("prospective", "ordinary", "policy_issued"),
            ("ordinary", "three_star", "policy_renewed"),
        ]
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        history = await client.get(f"/api/v1/members/{member['member_id']}/tier-history", headers=own)
        assert [h["to_tier"] for h in history.json()] == ["three_star", "ordinary"]
        policies = await client.get("/api/v1/policies", headers=own)
        assert {p["policy_no"] for p in policies.json()["items"]} == {old, new}
        assert (await client.get(f"/api/v1/members/{member['member_id']}", headers=own)).json()[
            "manager_id"
        ] == "manager2"
