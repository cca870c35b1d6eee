import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cheyou_events import sealing
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.config import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ..factories import member_events, register  # noqa: TID252


def reviewer(identities: Identities, name: str = "reviewer1") -> dict[str, str]:
    return identities.headers("member-svc", Role.REVIEWER, subject=name, staff_id=name)


async def claim_member(client: httpx.AsyncClient, headers: dict[str, str], member_id: str) -> dict[str, Any]:
    """Claim until this member's task comes up; the others go back to the queue."""
    others = []
    while True:
        response = await client.post("/api/v1/applications/claim", headers=headers)
        assert response.status_code == 200, response.text
        if response.json()["member_id"] == member_id:
            break
        others.append(response.json()["task_id"])
    for task_id in others:
        await client.post(f"/api/v1/applications/{task_id}/release", headers=headers)
    task: dict[str, Any] = response.json()
    return task


async def expire_lease(settings: Settings, task_id: str) -> None:
    engine = create_async_engine(settings.sqlalchemy_url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE verification_tasks SET lease_expires_at = now() - interval '1 second' WHERE id = :id"
            ),
            {"id": uuid.UUID(task_id)},
        )
    await engine.dispose()


async def outbox_payloads(settings: Settings, member_id: str, event_type: str) -> list[str]:
    """The member's rows of ``event_type`` in the outbox, as the stored text."""
    engine = create_async_engine(settings.sqlalchemy_url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT payload::text FROM event_outbox WHERE key = :key AND type = :type"),
            {"key": member_id, "type": event_type},
        )
        payloads = [row[0] for row in rows]
    await engine.dispose()
    return payloads


class TestClaim:
    async def test_the_holder_sees_the_full_application_and_the_policy_evidence(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)

        task = await claim_member(client, reviewer(identities), member["member_id"])

        assert task["status"] == "claimed"
        assert task["claimed_by"] == "reviewer1"
        assert task["full"]["id_number"] == member["id_number"]
        other = await client.get(
            f"/api/v1/applications/{task['task_id']}", headers=reviewer(identities, "reviewer2")
        )
        assert other.json()["full"] is None
        assert other.json()["member"]["phone_masked"] == member["phone"][:3] + "****" + member["phone"][-4:]

    async def test_two_reviewers_claiming_at_once_get_different_tasks(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        await register(client, identities)
        await register(client, identities)

        first, second = await asyncio.gather(
            client.post("/api/v1/applications/claim", headers=reviewer(identities, "reviewer1")),
            client.post("/api/v1/applications/claim", headers=reviewer(identities, "reviewer2")),
        )

        assert first.json()["task_id"] != second.json()["task_id"]
        await client.post(
            f"/api/v1/applications/{first.json()['task_id']}/release", headers=reviewer(identities)
        )
        await client.post(
            f"/api/v1/applications/{second.json()['task_id']}/release",
            headers=reviewer(identities, "reviewer2"),
        )

    async def test_a_lapsed_lease_returns_the_task_to_the_queue(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        task = await claim_member(client, reviewer(identities), member["member_id"])

        await expire_lease(service_settings, task["task_id"])

        late = await client.post(
            f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer(identities)
        )
        assert late.status_code == 409
        again = await claim_member(client, reviewer(identities, "reviewer2"), member["member_id"])
        assert again["task_id"] == task["task_id"]
        assert again["claimed_by"] == "reviewer2"

    async def test_only_reviewers_claim(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await client.post(
            "/api/v1/applications/claim", headers=identities.headers("member-svc", Role.OPS)
        )

        assert response.status_code == 403


class TestDecisions:
    async def test_a_decision_on_a_task_someone_else_holds_is_409_and_changes_nothing(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        task = await claim_member(client, reviewer(identities), member["member_id"])

        response = await client.post(
            f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer(identities, "reviewer2")
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/task-held-by-another-reviewer")
        state = await client.get(f"/api/v1/members/{member['member_id']}", headers=reviewer(identities))
        assert state.json()["status"] == "pending"
        await client.post(f"/api/v1/applications/{task['task_id']}/release", headers=reviewer(identities))

    async def test_approval_verifies_the_member_and_tells_notify_how_to_reach_them(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities, manager_code="MK7Q2Z9A")
        task = await claim_member(client, reviewer(identities), member["member_id"])

        response = await client.post(
            f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer(identities)
        )

        assert response.json()["status"] == "approved"
        assert response.json()["member"]["status"] == "verified"
        assert response.json()["member"]["manager_id"] == "manager1"
        bootstrap = service_settings.kafka_bootstrap_servers
        assert (await member_events(bootstrap, member["member_id"], "cheyou.member.verified.v1"))[0][
            "reviewer_id"
        ] == "reviewer1"
        contact = await member_events(bootstrap, member["member_id"], "cheyou.member.contact_changed.v1")
        assert member["phone"] not in json.dumps(contact)
        assert contact[0]["phone"] is None
        phone = sealing.unseal(contact[0]["phone_sealed"], partition_key=member["member_id"], field="phone")
        assert phone == member["phone"]
        stored = await outbox_payloads(
            service_settings, member["member_id"], "cheyou.member.contact_changed.v1"
        )
        assert stored
        assert all(member["phone"] not in payload for payload in stored)
        profile = await member_events(bootstrap, member["member_id"], "cheyou.member.profile_changed.v1")
        assert profile[0]["manager_id"] == "manager1"
        assert profile[0]["interests"] == ["photography", "self_drive"]
        assert profile[0]["join_channel"] == "manager_invite"

    async def test_rejection_gives_the_reason(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        task = await claim_member(client, reviewer(identities), member["member_id"])

        await client.post(
            f"/api/v1/applications/{task['task_id']}/reject",
            json={"reason": "not a customer"},
            headers=reviewer(identities),
        )

        events = await member_events(
            service_settings.kafka_bootstrap_servers, member["member_id"], "cheyou.member.rejected.v1"
        )
        assert events[0]["reason"] == "not a customer"

    async def test_a_returned_application_goes_back_to_the_queue_once_fixed(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        task = await claim_member(client, reviewer(identities), member["member_id"])
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])

        await client.post(
            f"/api/v1/applications/{task['task_id']}/return",
            json={"fields": ["phone"], "message": "the number does not answer"},
            headers=reviewer(identities),
        )
        returned = await client.get(f"/api/v1/members/{member['member_id']}/application", headers=own)
        # The new number is proven at the gateway (a code sent to it), which makes the change.
        fixed = await client.put(
            f"/api/v1/members/{member['member_id']}/phone",
            json={"phone": "13912345678"},
            headers=identities.headers("member-svc", Role.SERVICE),
        )
        queued = await client.get(f"/api/v1/members/{member['member_id']}/application", headers=own)

        assert returned.json() == {
            "status": "returned",
            "fix_fields": ["phone"],
            "message": "the number does not answer",
        }
        assert fixed.json()["member"]["status"] == "pending"
        assert fixed.json()["member"]["phone_masked"] == "139****5678"
        assert fixed.json()["previous_phone"] == member["phone"]
        assert queued.json()["status"] == "queued"


class TestCallbacks:
    async def test_a_callback_with_a_retry_returns_the_task_to_the_queue_until_then(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        task = await claim_member(client, reviewer(identities), member["member_id"])
        retry_at = datetime.now(UTC) + timedelta(hours=2)

        response = await client.post(
            f"/api/v1/applications/{task['task_id']}/callbacks",
            json={"outcome": "unreachable", "notes": "no answer", "retry_at": retry_at.isoformat()},
            headers=reviewer(identities),
        )

        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "queued"
        assert body["attempts"] == 1
        assert datetime.fromisoformat(body["not_before"]) == retry_at
        assert [c["outcome"] for c in body["callbacks"]] == ["unreachable"]

    async def test_an_unknown_outcome_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await client.post(
            f"/api/v1/applications/{uuid.uuid4()}/callbacks",
            json={"outcome": "maybe"},
            headers=reviewer(identities),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.outcome"


class TestFigures:
    async def test_callbacks_per_reviewer_per_day_and_the_approval_rate(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        task = await claim_member(client, reviewer(identities, "reviewer2"), member["member_id"])
        await client.post(
            f"/api/v1/applications/{task['task_id']}/callbacks",
            json={"outcome": "reached"},
            headers=reviewer(identities, "reviewer2"),
        )
        await client.post(
            f"/api/v1/applications/{task['task_id']}/approve", headers=reviewer(identities, "reviewer2")
        )

        response = await client.get(
            "/api/v1/applications/figures", headers=identities.headers("member-svc", Role.OPS)
        )

        figures = response.json()
        assert any(
            row["reviewer_id"] == "reviewer2" and row["callbacks"] >= 1 for row in figures["callbacks"]
        )
        assert figures["approved"] >= 1
        assert 0 < figures["approval_rate"] <= 1
