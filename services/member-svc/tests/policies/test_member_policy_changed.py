"""``member.policy_changed``: the core feed's changes, keyed by member, through the real broker."""

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyRenewed,
)
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from member_svc.config import Settings

from ..factories import holder_hash, member_events, policy_issued, register, verify  # noqa: TID252

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
POLICY_CHANGED = "cheyou.member.policy_changed.v1"


def renewed(customer_no: str, policy_no: str, previous: str, holder: str) -> PolicyRenewed:
    return PolicyRenewed(
        **{
            **policy_issued(customer_no, policy_no, holder_id_hash=holder, plate="闽A12345").model_dump(
                exclude={"issued_at"}
            ),
            "premium_fen": 412_000,
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 12, 31),
        },
        previous_policy_no=previous,
        renewed_at=NOW,
    )


def numbers() -> tuple[str, str, str]:
    return f"C{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:8]}", f"P{uuid.uuid4().hex[:8]}"


@pytest.mark.usefixtures("client")
class TestMemberPolicyChanged:
    async def test_each_change_of_a_verified_members_policy_goes_out_keyed_by_member(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        holder = holder_hash(service_settings, member["id_number"])
        customer, old, new = numbers()
        cancelled = PolicyCancelled(
            policy_no=old, customer_no=customer, reason="renewed", refund_fen=0, cancelled_at=NOW
        )

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(
                policy_issued(customer, old, holder_id_hash=holder, plate="闽A12345"), source="core-policy"
            ),
            Envelope.new(renewed(customer, new, old, holder), source="core-policy"),
            Envelope.new(cancelled, source="core-policy"),
        )

        events = await member_events(
            service_settings.kafka_bootstrap_servers, member["member_id"], POLICY_CHANGED, 3
        )
        assert [(e["policy_no"], e["change"], e["status"]) for e in events] == [
            (old, "issued", "active"),
            (new, "renewed", "active"),
            (old, "cancelled", "cancelled"),
        ]
        renewal = events[1]
        assert renewal["member_id"] == member["member_id"]
        assert renewal["previous_policy_no"] == old
        assert (renewal["premium_fen"], renewal["starts_on"], renewal["ends_on"]) == (
            412_000,
            "2027-01-01",
            "2027-12-31",
        )
        assert (renewal["line"], renewal["plate"], renewal["restated"]) == ("commercial", "闽A12345", False)

    async def test_policies_held_before_verification_are_restated_once_on_verification(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        holder = holder_hash(service_settings, member["id_number"])
        customer, old, new = numbers()
        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(
                policy_issued(customer, old, holder_id_hash=holder, plate="闽A12345"), source="core-policy"
            ),
            Envelope.new(renewed(customer, new, old, holder), source="core-policy"),
        )
        ops = identities.headers("member-svc", Role.OPS)

        async def projected() -> bool | None:  # held, and not the applicant's before verification
            answers = [await client.get(f"/api/v1/policies/{no}", headers=ops) for no in (old, new)]
            return True if all(a.status_code == 200 for a in answers) else None

        await eventually(projected)
        unlinked = await client.get(f"/api/v1/policies/{old}", headers=ops)
        await verify(client, identities, member["member_id"])
        linked = await client.get(f"/api/v1/policies?member_id={member['member_id']}", headers=ops)

        assert unlinked.json()["member_id"] is None
        assert {p["policy_no"] for p in linked.json()["items"]} == {old, new}
        events = await member_events(
            service_settings.kafka_bootstrap_servers, member["member_id"], POLICY_CHANGED, 2
        )
        assert sorted((e["policy_no"], e["change"], e["restated"]) for e in events) == sorted(
            [(old, "issued", True), (new, "renewed", True)]
        )
