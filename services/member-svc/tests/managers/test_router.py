import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from cheyou_events import Envelope, event_outbox
from cheyou_events.catalogue.claims import ClaimSettled
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from member_svc.config import Settings
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import register, verify  # noqa: TID252


def manager(identities: Identities, name: str = "manager1") -> dict[str, str]:
    return identities.headers("member-svc", Role.MANAGER, subject=name, staff_id=name)


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.OPS, subject="ops1", staff_id="ops1")


async def customer_of_manager1(client: httpx.AsyncClient, identities: Identities) -> str:
    member = await register(client, identities, manager_code="MK7Q2Z9A")
    await verify(client, identities, member["member_id"])
    return str(member["member_id"])


class TestInviteQr:
    async def test_png_and_svg_of_the_managers_own_code(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        png = await client.get("/api/v1/managers/manager1/invite-qr.png", headers=manager(identities))
        svg = await client.get("/api/v1/managers/manager1/invite-qr.svg", headers=manager(identities))

        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
        assert svg.headers["content-type"] == "image/svg+xml"
        assert b"<svg" in svg.content

    async def test_another_managers_code_is_404(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            "/api/v1/managers/manager1/invite-qr.png", headers=manager(identities, "manager2")
        )

        assert response.status_code == 404


class TestUpsertManager:
    async def test_ops_creates_a_manager_with_an_invite_code(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        staff_id = f"m{uuid.uuid4().hex[:6]}"
        body = {
            "display_name": "王芳",
            "team": "福州营业二部",
            "unit_code": "FZ02",
            "staff_number": f"FZ{uuid.uuid4().hex[:6]}",
            "phone": "0591-87001003",
        }

        response = await client.put(f"/api/v1/managers/{staff_id}", json=body, headers=ops(identities))

        assert response.status_code == 200
        assert response.json()["invite_code"].startswith("M")
        assert len(response.json()["invite_code"]) == 8


class TestAssignment:
    async def test_reassignment_keeps_the_history(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await customer_of_manager1(client, identities)

        response = await client.put(
            f"/api/v1/members/{member_id}/manager",
            json={"manager_id": "manager2", "reason": "manager1 moved teams"},
            headers=ops(identities),
        )

        assert [(a["manager_id"], a["source"]) for a in response.json()] == [
            ("manager2", "ops"),
            ("manager1", "invite"),
        ]
        old = await client.get(f"/api/v1/members/{member_id}", headers=manager(identities, "manager1"))
        assert old.status_code == 404

    async def test_an_unknown_manager_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        member_id = await customer_of_manager1(client, identities)

        response = await client.put(
            f"/api/v1/members/{member_id}/manager",
            json={"manager_id": "nobody", "reason": "x y"},
            headers=ops(identities),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "manager_id"


class TestVisits:
    async def test_a_manager_records_a_visit_to_a_customer(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await customer_of_manager1(client, identities)
        body = {
            "member_id": member_id,
            "kind": "renewal_contact",
            "channel": "phone",
            "visited_at": datetime.now(UTC).isoformat(),
            "notes": "renews in December",
        }

        created = await client.post("/api/v1/visits", json=body, headers=manager(identities))
        listed = await client.get(f"/api/v1/visits?member_id={member_id}", headers=manager(identities))
        kpis = await client.get("/api/v1/managers/manager1/kpis", headers=manager(identities))

        assert created.status_code == 201
        assert [v["kind"] for v in listed.json()["items"]] == ["renewal_contact"]
        assert kpis.json()["renewal_contacts"] >= 1

    async def test_another_managers_customer_is_422_and_nothing_is_written(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await customer_of_manager1(client, identities)
        body = {
            "member_id": member_id,
            "kind": "star_visit",
            "channel": "in_person",
            "visited_at": datetime.now(UTC).isoformat(),
        }

        response = await client.post("/api/v1/visits", json=body, headers=manager(identities, "manager2"))

        assert response.status_code == 422
        listed = await client.get(f"/api/v1/visits?member_id={member_id}", headers=ops(identities))
        assert listed.json()["items"] == []


class TestVisitPlan:
    async def test_a_star_member_without_visits_is_on_the_plan(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await customer_of_manager1(client, identities)
        floor = {
            "tier": "four_star",
            "reason": "VIP fleet owner",
            "expires_on": str(date.today() + timedelta(days=90)),
        }
        await client.put(f"/api/v1/members/{member_id}/tier-floor", json=floor, headers=ops(identities))

        response = await client.get("/api/v1/managers/manager1/visit-plan", headers=manager(identities))

        entry = next(e for e in response.json() if e["member_id"] == member_id)
        assert entry["tier"] == "four_star"
        assert entry["visits_this_year"] == 0
        assert entry["status"] in ("overdue", "due", "scheduled")


class TestClaimSettled:
    async def test_a_settled_claim_gives_the_manager_a_callback_task_a_visit_completes(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member_id = await customer_of_manager1(client, identities)
        claim_id = f"CL{uuid.uuid4().hex[:8]}"
        settled = ClaimSettled(
            claim_id=claim_id, member_id=member_id, amount_fen=320_000, settled_at=datetime.now(UTC)
        )

        await publish(service_settings.kafka_bootstrap_servers, Envelope.new(settled, source="claims-svc"))

        async def task() -> dict[str, str] | None:
            tasks = (await client.get("/api/v1/managers/manager1/tasks", headers=manager(identities))).json()
            return next((t for t in tasks if t["source_ref"] == claim_id), None)

        found = await eventually(task)
        assert found["kind"] == "post_claim_callback"
        visit = {
            "member_id": member_id,
            "kind": "post_claim_callback",
            "channel": "phone",
            "visited_at": datetime.now(UTC).isoformat(),
            "task_id": found["id"],
        }
        assert (
            await client.post("/api/v1/visits", json=visit, headers=manager(identities))
        ).status_code == 201
        assert await task() is None


class TestTargets:
    async def test_the_target_is_a_quarter_of_last_months_household_commercial_policies(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        unit = f"U{uuid.uuid4().hex[:6]}"
        first = date.today().replace(day=1)
        last_month = first - timedelta(days=10)
        events = [
            {
                "type": "cheyou.policy.issued.v1",
                "data": {
                    "policy_no": f"P{uuid.uuid4().hex[:10]}",
                    "customer_no": f"C{i}",
                    "line": "commercial",
                    "vehicle_kind": "household_car" if i < 9 else "commercial_vehicle",
                    "premium_fen": 300_000,
                    "starts_on": str(last_month),
                    "ends_on": str(last_month + timedelta(days=364)),
                    "branch_code": "350100",
                    "selling_unit": unit,
                    "issued_at": datetime.combine(last_month, datetime.min.time(), UTC).isoformat(),
                },
            }
            for i in range(10)
        ]

        accepted = await client.post(
            "/api/v1/policy-feed",
            json={"events": events},
            headers=identities.headers("member-svc", Role.SERVICE),
        )

        assert accepted.status_code == 202

        async def row() -> dict[str, object] | None:
            rows = (await client.get(f"/api/v1/targets?month={first:%Y-%m}", headers=ops(identities))).json()
            found = next((r for r in rows if r["unit_code"] == unit), None)
            return found if found and found["household_commercial_last_month"] == 9 else None

        assert (await eventually(row))["target"] == 3

    @pytest.mark.parametrize("month", ["0000-05", "0001-01", "9999-12", "2026-13", "2026-5"])
    async def test_a_month_outside_the_calendar_is_422_not_500(
        self, client: httpx.AsyncClient, identities: Identities, month: str
    ) -> None:
        response = await client.get(f"/api/v1/targets?month={month}", headers=ops(identities))

        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")


class TestPolicyFeed:
    async def test_invalid_event_data_is_422_naming_the_field(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        event = {
            "type": "cheyou.policy.lapsed.v1",
            "data": {"policy_no": "P1", "customer_no": "C1", "ended_on": "x"},
        }

        response = await client.post(
            "/api/v1/policy-feed",
            json={"events": [event]},
            headers=identities.headers("member-svc", Role.SERVICE),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "events.0.data.ended_on"

    async def test_an_unknown_type_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        event = {"type": "cheyou.member.verified.v1", "data": {}}

        response = await client.post(
            "/api/v1/policy-feed",
            json={"events": [event]},
            headers=identities.headers("member-svc", Role.ADMIN),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "events.0.type"

    async def test_events_posted_again_are_taken_once_beside_the_new_ones(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        def lapsed() -> dict[str, object]:
            data = {"policy_no": f"P{uuid.uuid4().hex[:10]}", "customer_no": f"C{uuid.uuid4().hex[:10]}"}
            data |= {"ended_on": str(date.today()), "lapsed_at": datetime.now(UTC).isoformat()}
            return {"type": "cheyou.policy.lapsed.v1", "id": str(uuid.uuid4()), "data": data}

        first, second, new = lapsed(), lapsed(), lapsed()
        feed = identities.headers("member-svc", Role.SERVICE)

        once = await client.post("/api/v1/policy-feed", json={"events": [first, second]}, headers=feed)
        again = await client.post("/api/v1/policy-feed", json={"events": [second, new, first]}, headers=feed)

        assert (once.status_code, again.status_code) == (202, 202)
        assert again.json()["accepted"] == [second["id"], new["id"], first["id"]]
        ids = [uuid.UUID(str(e["id"])) for e in (first, second, new)]
        rows = await session.scalar(
            select(func.count()).select_from(event_outbox).where(event_outbox.c.id.in_(ids))
        )
        assert rows == 3

    async def test_members_may_not_post_to_the_feed(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/policy-feed",
            json={"events": [{"type": "cheyou.policy.issued.v1", "data": {}}]},
            headers=identities.headers("member-svc", Role.MEMBER, member_id=uuid.uuid4()),
        )

        assert response.status_code == 403
