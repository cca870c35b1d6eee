"""A downgrade the engine schedules is recorded and announced (``member.tier_downgrade_scheduled``)."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import PolicyEndorsed, PolicyIssued, PolicyLine, VehicleKind
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from member_svc.config import Settings

from ..factories import holder_hash, member_events, register, verify  # noqa: TID252


class TestDowngradeScheduled:
    @pytest.mark.usefixtures("client")
    async def test_a_lower_premium_schedules_a_downgrade_after_the_grace_and_warns_the_member(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        rules = (
            await client.get("/api/v1/tier-rules", headers=identities.headers("member-svc", Role.OPS))
        ).json()
        three, four = (
            rules["rules"]["thresholds_fen"]["three_star"],
            rules["rules"]["thresholds_fen"]["four_star"],
        )
        weight = rules["rules"]["premium_weight"]
        now = datetime.now(UTC)
        customer, policy_no = f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:8]}"
        issued = PolicyIssued(
            policy_no=policy_no,
            customer_no=customer,
            line=PolicyLine.COMMERCIAL,
            vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
            premium_fen=int((three + four) / 2 / weight),
            starts_on=now.date() - timedelta(days=30),
            ends_on=now.date() + timedelta(days=335),
            branch_code="350100",
            issued_at=now,
            holder_id_hash=holder_hash(service_settings, member["id_number"]),
        )
        lower = int(three / 2 / weight)
        endorsed = PolicyEndorsed(
            policy_no=policy_no,
            customer_no=customer,
            endorsement_no=f"E{uuid.uuid4().hex[:8]}",
            reason="cover reduced",
            premium_fen=lower,
            endorsed_at=now,
        )

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(issued, source="core-policy"),
            Envelope.new(endorsed, source="core-policy"),
        )

        [notice] = await member_events(
            service_settings.kafka_bootstrap_servers,
            member["member_id"],
            "cheyou.member.tier_downgrade_scheduled.v1",
        )
        contribution = int(lower * weight)
        effective = (now.date() + timedelta(days=rules["rules"]["grace_days"])).isoformat()
        assert (notice["from_tier"], notice["to_tier"]) == ("three_star", "ordinary")
        assert (notice["contribution_fen"], notice["contribution_needed_fen"]) == (
            contribution,
            three - contribution,
        )
        assert notice["effective_on"] == effective

        async def status() -> dict[str, object] | None:
            body = (await client.get(f"/api/v1/members/{member['member_id']}/tier", headers=own)).json()
            return body if body["downgrade_due_on"] is not None else None

        tier = await eventually(status)
        assert (tier["tier"], tier["downgrade_due_on"], tier["downgrade_to"]) == (
            "three_star",
            effective,
            "ordinary",
        )
        assert tier["contribution_needed_fen"] == three - contribution
        endorsements = await member_events(
            service_settings.kafka_bootstrap_servers,
            member["member_id"],
            "cheyou.member.policy_changed.v1",
            2,
        )
        assert [(e["change"], e["premium_fen"]) for e in endorsements] == [
            ("issued", issued.premium_fen),
            ("endorsed", lower),
        ]
