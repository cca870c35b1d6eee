"""Managers' work, generated: renewals due, win-backs, downgrade warnings, overdue star visits, activity
follow-ups; done by recording the visit; generated idempotently."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.policy import PolicyIssued, PolicyLine, PolicyRenewed, VehicleKind
from cheyou_events.catalogue.privilege import ActivityAttended
from cheyou_kit.identity import Principal, Role
from cheyou_kit.testing import Identities, eventually, publish
from member_svc import china_time
from member_svc.config import Settings
from member_svc.managers import service
from member_svc.managers.schemas import VisitCreate
from member_svc.members.models import Member
from member_svc.policies import service as policies_service
from member_svc.policies.models import Policy
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import holder_hash, plate, register, verify  # noqa: TID252


def manager(identities: Identities, name: str = "manager1") -> dict[str, str]:
    return identities.headers("member-svc", Role.MANAGER, subject=name, staff_id=name)


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.OPS, subject="ops1", staff_id="ops1")


NOW = datetime.now(UTC)
TODAY = china_time.today(NOW)


async def _customer(client: httpx.AsyncClient, identities: Identities) -> uuid.UUID:
    member = await register(client, identities, manager_code="MK7Q2Z9A")
    await verify(client, identities, member["member_id"])
    return uuid.UUID(str(member["member_id"]))


def _policy(member_id: uuid.UUID, ends_on: date, **values: Any) -> Policy:
    return Policy(
        policy_no=f"P{uuid.uuid4().hex[:12]}",
        customer_no=f"C{uuid.uuid4().hex[:8]}",
        line="commercial",
        vehicle_kind="household_car",
        premium_fen=420_000,
        starts_on=ends_on - timedelta(days=364),
        ends_on=ends_on,
        branch_code="350100",
        status=values.pop("status", "active"),
        member_id=member_id,
        plate=values.pop("plate", plate()),
        **values,
    )


async def _tasks(session: AsyncSession, member_id: uuid.UUID, kind: str) -> list[Any]:
    return [t for t in await service.tasks(session, "manager1", "open", kind) if t.member_id == member_id]


class TestGeneration:
    async def test_a_policy_ending_within_30_days_is_a_renewal_task_once(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        member_id = await _customer(client, identities)
        policy = _policy(member_id, TODAY + timedelta(days=5))
        session.add_all([policy, _policy(member_id, TODAY + timedelta(days=60))])
        await session.flush()

        await service.generate_tasks(session, NOW)
        again = await service.generate_tasks(session, NOW)

        [task] = await _tasks(session, member_id, "renewal_due")
        assert task.priority == "high"  # within a week
        assert task.context["policy_no"] == policy.policy_no
        assert task.context["plate"] == policy.plate
        assert task.due_on == TODAY
        assert task.customer is not None
        assert task.customer.name_masked.startswith("林")
        assert again["renewal_due"] == 0

    async def test_a_renewed_policy_needs_no_renewal_task(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        member_id = await _customer(client, identities)
        old = _policy(member_id, TODAY + timedelta(days=10))
        session.add_all(
            [old, _policy(member_id, TODAY + timedelta(days=375), previous_policy_no=old.policy_no)]
        )
        await session.flush()

        await service.generate_tasks(session, NOW)

        assert await _tasks(session, member_id, "renewal_due") == []

    async def test_a_renewal_arriving_meanwhile_closes_the_open_renewal_task(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        session: AsyncSession,
        service_settings: Settings,
    ) -> None:
        member = await register(client, identities, manager_code="MK7Q2Z9A")
        await verify(client, identities, member["member_id"])
        member_id = uuid.UUID(str(member["member_id"]))
        old = _policy(member_id, TODAY + timedelta(days=10))
        other = _policy(member_id, TODAY + timedelta(days=12))  # another car: still to renew
        session.add_all([old, other])
        await session.flush()
        await service.generate_tasks(session, NOW)

        await policies_service.record_issued(
            session,
            PolicyRenewed(
                policy_no=f"P{uuid.uuid4().hex[:12]}",
                previous_policy_no=old.policy_no,
                customer_no=old.customer_no,
                line=PolicyLine.COMMERCIAL,
                vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
                premium_fen=430_000,
                starts_on=old.ends_on + timedelta(days=1),
                ends_on=old.ends_on + timedelta(days=365),
                branch_code="350100",
                renewed_at=NOW,
                holder_id_hash=holder_hash(service_settings, member["id_number"]),
                plate=old.plate,
            ),
        )

        [still_open] = await _tasks(session, member_id, "renewal_due")
        assert still_open.context["policy_no"] == other.policy_no
        [closed] = [
            t
            for t in await service.tasks(session, "manager1", "done", "renewal_due")
            if t.member_id == member_id
        ]
        assert closed.context["policy_no"] == old.policy_no
        assert closed.context["closed_by"] == "policy_renewed"
        assert closed.closed_at is not None
        assert closed.visit_id is None

    async def test_a_new_policy_for_the_lapsed_car_closes_the_winback(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        session: AsyncSession,
        service_settings: Settings,
    ) -> None:
        member = await register(client, identities, manager_code="MK7Q2Z9A")
        await verify(client, identities, member["member_id"])
        member_id = uuid.UUID(str(member["member_id"]))
        lapsed = _policy(member_id, TODAY - timedelta(days=20), status="lapsed")
        session.add(lapsed)
        await session.flush()
        await service.generate_tasks(session, NOW)
        assert len(await _tasks(session, member_id, "winback")) == 1

        await policies_service.record_issued(  # issued anew (not as a renewal) for the same car
            session,
            PolicyIssued(
                policy_no=f"P{uuid.uuid4().hex[:12]}",
                customer_no=lapsed.customer_no,
                line=PolicyLine.COMMERCIAL,
                vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
                premium_fen=400_000,
                starts_on=TODAY,
                ends_on=TODAY + timedelta(days=364),
                branch_code="350100",
                issued_at=NOW,
                holder_id_hash=holder_hash(service_settings, member["id_number"]),
                plate=lapsed.plate,
            ),
        )

        assert await _tasks(session, member_id, "winback") == []

    async def test_a_policy_lapsed_15_days_without_renewal_is_a_winback(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        member_id = await _customer(client, identities)
        lapsed = _policy(member_id, TODAY - timedelta(days=16), status="lapsed")
        recent = _policy(member_id, TODAY - timedelta(days=3), status="lapsed")
        session.add_all([lapsed, recent])
        await session.flush()

        await service.generate_tasks(session, NOW)

        [task] = await _tasks(session, member_id, "winback")
        assert task.context["policy_no"] == lapsed.policy_no
        assert task.context["ended_on"] == str(lapsed.ends_on)

    async def test_a_star_customer_about_to_drop_and_overdue_for_a_visit(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        member_id = await _customer(client, identities)
        member = await session.get(Member, member_id)
        assert member is not None
        member.tier, member.downgrade_due_on = "five_star", TODAY + timedelta(days=40)
        await session.flush()

        await service.generate_tasks(session, datetime(TODAY.year, 12, 30, 4, tzinfo=UTC))

        [warning] = await _tasks(session, member_id, "tier_downgrade_warning")
        assert warning.priority == "high"
        assert warning.context["effective_on"] == str(member.downgrade_due_on)
        [overdue] = await _tasks(session, member_id, "star_visit_overdue")
        assert overdue.context["visits_this_year"] == 0
        assert overdue.priority == "high"  # five-star

    async def test_a_visit_of_the_matching_kind_closes_the_task(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        member_id = await _customer(client, identities)
        session.add(_policy(member_id, TODAY + timedelta(days=20)))
        await session.flush()
        await service.generate_tasks(session, NOW)
        principal = Principal(subject="manager1", role=Role.MANAGER, staff_id="manager1")
        visit = await service.record_visit(
            session,
            principal,
            VisitCreate(member_id=member_id, kind="renewal_contact", channel="phone", visited_at=NOW),
            NOW,
        )

        assert await _tasks(session, member_id, "renewal_due") == []
        [done] = [
            t
            for t in await service.tasks(session, "manager1", "done", "renewal_due")
            if t.member_id == member_id
        ]
        assert done.visit_id == visit.id

    async def test_ops_run_the_generation_and_managers_may_not(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        refused = await client.post("/api/v1/managers/task-runs", headers=manager(identities))
        ran = await client.post("/api/v1/managers/task-runs", headers=ops(identities))

        assert refused.status_code == 403
        assert ran.status_code == 200
        assert set(ran.json()["generated"]) >= {"renewal_due", "winback"}


class TestActivityFollowUp:
    async def test_an_attended_activity_gives_the_manager_a_follow_up_once(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member_id = await _customer(client, identities)
        attended = ActivityAttended(
            signup_id=str(uuid.uuid4()),
            activity_id=str(uuid.uuid4()),
            member_id=str(member_id),
            activity_title="摄影课堂",
            attended_at=NOW,
        )
        event = Envelope.new(attended, source="privilege-svc")

        await publish(service_settings.kafka_bootstrap_servers, event, event)

        async def follow_ups() -> list[dict[str, Any]] | None:
            tasks = (
                await client.get(
                    "/api/v1/managers/manager1/tasks?kind=activity_followup", headers=manager(identities)
                )
            ).json()
            found = [t for t in tasks if t["source_ref"] == attended.signup_id]
            return found or None

        [task] = await eventually(follow_ups)
        assert task["context"]["activity_title"] == "摄影课堂"
        assert task["customer"]["tier"] == "prospective"


class TestBadInput:
    async def test_an_unknown_kind_or_status_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        kind = await client.get("/api/v1/managers/manager1/tasks?kind=nap", headers=manager(identities))
        status = await client.get("/api/v1/managers/manager1/tasks?status=gone", headers=manager(identities))

        assert (kind.status_code, status.status_code) == (422, 422)

    async def test_another_managers_tasks_are_404(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            "/api/v1/managers/manager1/tasks", headers=manager(identities, "manager2")
        )

        assert response.status_code == 404
