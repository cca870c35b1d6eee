"""A member reports only on a policy they hold, as member-svc says (``member.policy_changed``)."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from cheyou_events import Envelope
from cheyou_kit.testing import eventually, publish
from claims_svc.config import Settings
from claims_svc.cover import service
from sqlalchemy.ext.asyncio import AsyncSession

from ..conftest import Arrange  # noqa: TID252


class TestReportNeedsTheHolder:
    async def test_a_report_is_accepted_once_member_svc_says_the_member_holds_the_policy(
        self, client: httpx.AsyncClient, arrange: Arrange, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle()
        body = arrange.report_body(vehicle)
        refused = await client.post("/api/v1/claims", json=body, headers=arrange.member(member))

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(arrange.policy_changed(member, vehicle), source="member-svc"),
        )

        async def reported() -> httpx.Response | None:
            response = await client.post("/api/v1/claims", json=body, headers=arrange.member(member))
            return response if response.status_code == 201 else None

        assert refused.status_code == 403
        assert (await eventually(reported)).json()["policy_no"] == vehicle.policy_no

    async def test_someone_elses_policy_is_refused_and_nothing_is_written(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=uuid.uuid4())

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle), headers=arrange.member(member)
        )

        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("/not-policy-holder")
        assert problem["field"] == "policy_no"
        assert vehicle.policy_no in problem["detail"]
        mine = await client.get("/api/v1/claims", headers=arrange.member(member))
        assert mine.json()["items"] == []

    async def test_someone_elses_plate_is_refused(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        await arrange.vehicle(held_by=member)  # the member holds another vehicle's policy
        theirs = await arrange.vehicle(held_by=uuid.uuid4())
        body = arrange.report_body(theirs, policy_no=None, plate=theirs.plate)

        response = await client.post("/api/v1/claims", json=body, headers=arrange.member(member))

        assert response.status_code == 403
        assert response.json()["field"] == "plate"

    async def test_an_uninsured_plate_answers_a_member_like_someone_elses(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)
        body = arrange.report_body(vehicle, policy_no=None, plate="闽Z00000")

        response = await client.post("/api/v1/claims", json=body, headers=arrange.member(member))

        assert response.status_code == 403  # not 422 no-cover: a member cannot probe which plates are insured
        assert response.json()["type"].endswith("/not-policy-holder")

    async def test_a_policy_the_member_gave_up_before_the_loss_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)
        async with arrange.db() as s:
            gave_up = datetime.now(UTC) - timedelta(days=2)
            await service.record_member_policy(
                s, arrange.policy_changed(member, vehicle, status="cancelled", changed_at=gave_up)
            )
            await s.commit()

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle), headers=arrange.member(member)
        )

        assert response.status_code == 403


class TestMemberPolicyProjection:
    async def test_a_policy_given_up_after_the_loss_still_counts(
        self, session: AsyncSession, arrange: Arrange
    ) -> None:
        member, vehicle = uuid.uuid4(), await arrange.vehicle()
        loss = datetime.now(UTC) - timedelta(days=3)
        await service.record_member_policy(
            session,
            arrange.policy_changed(member, vehicle, status="cancelled", changed_at=loss + timedelta(days=1)),
        )

        held = await service.held_policy_nos(
            session, member, policy_no=vehicle.policy_no, plate=None, at=loss
        )

        assert held == {vehicle.policy_no}

    async def test_an_older_event_arriving_late_does_not_undo_a_newer_one(
        self, session: AsyncSession, arrange: Arrange
    ) -> None:
        member, vehicle = uuid.uuid4(), await arrange.vehicle()
        now = datetime.now(UTC)
        await service.record_member_policy(
            session,
            arrange.policy_changed(member, vehicle, status="cancelled", changed_at=now - timedelta(days=1)),
        )
        await service.record_member_policy(
            session,
            arrange.policy_changed(member, vehicle, status="active", changed_at=now - timedelta(days=30)),
        )

        assert (
            await service.held_policy_nos(session, member, policy_no=vehicle.policy_no, plate=None, at=now)
            == set()
        )

    async def test_the_same_event_twice_changes_nothing(
        self, session: AsyncSession, arrange: Arrange
    ) -> None:
        member, vehicle = uuid.uuid4(), await arrange.vehicle()
        event = arrange.policy_changed(member, vehicle)

        await service.record_member_policy(session, event)
        await service.record_member_policy(session, event)

        held = await service.held_policy_nos(
            session, member, policy_no=None, plate=vehicle.plate, at=datetime.now(UTC)
        )
        assert held == {vehicle.policy_no}
