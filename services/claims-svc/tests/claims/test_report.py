"""One-click report (FNOL): cover check, claim number, duplicates, routing, bad input."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import eventually
from claims_svc import pii
from claims_svc.config import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..conftest import Arrange, Published  # noqa: TID252

Sessions = async_sessionmaker[AsyncSession]


class TestReportClaim:
    async def test_a_covered_vehicle_gets_a_claim_number_at_once(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle), headers=arrange.member(member)
        )

        assert response.status_code == 201
        claim = response.json()
        today = datetime.now(UTC).astimezone().strftime("%Y%m%d")
        assert claim["claim_no"].startswith("3501")
        assert len(claim["claim_no"]) == 19
        assert claim["claim_no"][4:12] in {today, (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y%m%d")}
        assert claim["status"] == "reported"
        assert claim["handling"] == "self_service"
        assert claim["member_id"] == str(member)
        assert claim["plate"] == vehicle.plate
        assert claim["city_code"] == "350100"
        assert claim["other_party"]["phone"] == "138****8000"

    async def test_the_other_partys_phone_and_the_licence_number_are_stored_encrypted(
        self, client: httpx.AsyncClient, arrange: Arrange, db: Sessions, service_settings: Settings
    ) -> None:
        member, licence_no = uuid.uuid4(), "350102198507161234"
        vehicle = await arrange.vehicle(held_by=member)
        body = arrange.report_body(vehicle, driver={"name": "张三", "licence_no": licence_no})

        created = (await client.post("/api/v1/claims", json=body, headers=arrange.member(member))).json()
        query = text("SELECT other_party::text, driver::text FROM claims WHERE id = :id")
        async with db() as session:
            other_party, driver = (await session.execute(query, {"id": created["id"]})).one()

        assert "13800008000" not in other_party
        assert licence_no not in driver
        cipher, claim_id = (
            pii.cipher_for(service_settings.pii_key.get_secret_value()),
            uuid.UUID(created["id"]),
        )
        sealed_phone = json.loads(other_party)["phone_encrypted"]
        sealed_licence = json.loads(driver)["licence_no_encrypted"]
        assert cipher.decrypt(claim_id, "other_party.phone", sealed_phone) == "13800008000"
        assert cipher.decrypt(claim_id, "driver.licence_no", sealed_licence) == licence_no
        assert created["other_party"]["phone"] == "138****8000"
        assert created["driver"]["licence_no"] == "**************1234"
        assert "phone_encrypted" not in created["other_party"]

    async def test_claim_numbers_are_unique(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        numbers = {(await arrange.claim(member))["claim_no"] for _ in range(3)}

        assert len(numbers) == 3

    async def test_the_plate_alone_finds_the_policy(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)
        body = arrange.report_body(vehicle, policy_no=None, plate=vehicle.plate.replace("A", "A·"))

        response = await client.post("/api/v1/claims", json=body, headers=arrange.member(member))

        assert response.status_code == 201
        assert response.json()["policy_no"] == vehicle.policy_no

    async def test_a_loss_outside_the_policy_period_is_refused_and_nothing_is_written(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(
            starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), held_by=member
        )

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle), headers=arrange.member(member)
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/no-cover")
        assert response.json()["field"] == "policy_no"
        mine = await client.get("/api/v1/claims", headers=arrange.member(member))
        assert mine.json()["items"] == []

    async def test_a_plate_no_policy_covers_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        vehicle = await arrange.vehicle()
        body = arrange.report_body(vehicle, policy_no=None, plate="闽Z00000", member_id=str(uuid.uuid4()))

        response = await client.post("/api/v1/claims", json=body, headers=arrange.staff(Role.OPS))

        assert response.status_code == 422
        assert response.json()["type"].endswith("/no-cover")
        assert response.json()["field"] == "plate"

    async def test_a_plate_that_is_not_the_policys_vehicle_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)
        body = arrange.report_body(vehicle, plate="闽Z00000")

        response = await client.post("/api/v1/claims", json=body, headers=arrange.member(member))

        assert response.status_code == 422
        assert response.json()["type"].endswith("/plate-mismatch")

    async def test_a_loss_time_in_the_future_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)
        later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle, loss_at=later), headers=arrange.member(member)
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/loss-time-in-future")
        assert response.json()["field"] == "loss_at"

    async def test_a_location_outside_the_service_area_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)
        beijing = {"latitude": 39.9, "longitude": 116.4, "address": "北京市东城区"}

        response = await client.post(
            "/api/v1/claims",
            json=arrange.report_body(vehicle, location=beijing),
            headers=arrange.member(member),
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/outside-service-area")
        assert response.json()["field"] == "location"

    async def test_neither_policy_nor_plate_is_a_validation_error(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)

        response = await client.post(
            "/api/v1/claims",
            json=arrange.report_body(vehicle, policy_no=None),
            headers=arrange.member(member),
        )

        assert response.status_code == 422
        assert "policy number or the plate" in response.json()["detail"]

    async def test_an_unknown_field_names_the_field(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle(held_by=member)

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle, speed_kmh=80), headers=arrange.member(member)
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.speed_kmh"

    async def test_a_second_report_of_the_same_vehicle_and_time_is_flagged_as_a_duplicate(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle()
        first = await arrange.claim(member, vehicle)

        second = await arrange.claim(member, vehicle)

        assert first["duplicate_suspect"] is False
        assert second["duplicate_suspect"] is True
        assert second["duplicate_of"] == first["id"]
        steps = await client.get(f"/api/v1/claims/{second['id']}/timeline", headers=arrange.member(member))
        assert first["claim_no"] in steps.json()["items"][-1]["text"]

    async def test_a_later_loss_of_the_same_vehicle_is_not_a_duplicate(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle()
        await arrange.claim(member, vehicle, loss_at=(datetime.now(UTC) - timedelta(days=3)).isoformat())

        later = await arrange.claim(member, vehicle)

        assert later["duplicate_suspect"] is False

    @pytest.mark.parametrize(
        ("details", "reason"),
        [
            ({"injury_or_death": True}, "injury_or_death"),
            ({"vehicles_drivable": False}, "not_drivable"),
            ({"drink_driving_suspected": True}, "drink_driving_suspected"),
            ({"driver_licence_valid": False}, "no_valid_licence"),
            ({"plate_missing": True}, "no_plate"),
            ({"other_party_left": True}, "party_left"),
            ({"third_party_property": True}, "third_party_property"),
            ({"estimated_loss_fen": 1_200_000}, "over_fast_claim_limit"),
        ],
    )
    async def test_a_report_outside_self_service_goes_on_site_with_the_reason(
        self, client: httpx.AsyncClient, arrange: Arrange, details: dict[str, Any], reason: str
    ) -> None:
        member = uuid.uuid4()

        claim = await arrange.claim(member, **details)

        assert claim["status"] == "escalated_on_site"
        assert claim["handling"] == "on_site"
        assert claim["on_site_reasons"] == [reason]
        steps = (
            await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        ).json()
        assert [s["code"] for s in steps["items"]] == ["reported", "routed_on_site"]
        assert claim["on_site_reason_text"] in steps["items"][-1]["text"]

    async def test_a_loss_at_the_fast_claim_limit_stays_self_service(self, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4(), estimated_loss_fen=1_000_000)

        assert claim["handling"] == "self_service"

    async def test_a_single_vehicle_accident_goes_straight_to_the_photo_survey(
        self, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4(), accident_type="single_vehicle", other_party=None)

        assert claim["status"] == "survey_pending"

    async def test_claims_staff_report_by_phone_for_the_member_they_name(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        vehicle = await arrange.vehicle()  # member-svc has not matched the policy to the member yet

        response = await client.post(
            "/api/v1/claims",
            json=arrange.report_body(vehicle, member_id=str(member)),
            headers=arrange.staff(Role.OPS, "ops7"),
        )

        assert response.status_code == 201, response.text
        claim = response.json()
        assert claim["member_id"] == str(member)
        steps = (
            await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        ).json()["items"]
        assert [s["code"] for s in steps][:2] == ["reported", "reported_by_staff"]
        assert "ops7" in steps[1]["text"]

    async def test_staff_must_name_the_member(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        vehicle = await arrange.vehicle()

        response = await client.post(
            "/api/v1/claims", json=arrange.report_body(vehicle), headers=arrange.staff(Role.OPS)
        )

        assert response.status_code == 422
        assert response.json()["field"] == "member_id"

    @pytest.mark.parametrize("role", [Role.SURVEYOR, Role.MANAGER, Role.SERVICE])
    async def test_other_staff_do_not_take_reports(
        self, client: httpx.AsyncClient, arrange: Arrange, role: Role
    ) -> None:
        vehicle = await arrange.vehicle()

        response = await client.post(
            "/api/v1/claims",
            json=arrange.report_body(vehicle, member_id=str(uuid.uuid4())),
            headers=arrange.staff(role),
        )

        assert response.status_code == 403

    async def test_the_report_is_published_keyed_by_member(
        self, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()

        claim = await arrange.claim(member, injury_or_death=True, catastrophe_code="TY201513")

        async def both() -> list[dict[str, Any]] | None:
            events = await published(claim["id"])
            return events if len(events) >= 2 else None

        events = await eventually(both)
        assert [e["type"] for e in events] == ["cheyou.claims.reported.v1", "cheyou.claims.routed_on_site.v1"]
        assert {e["key"] for e in events} == {str(member)}
        assert events[0]["claim_no"] == claim["claim_no"]
        assert events[0]["has_injury"] is True
        assert events[0]["handling"] == "on_site"
        assert events[0]["catastrophe_code"] == "TY201513"
        assert events[1]["reasons"] == ["injury_or_death"]


class TestCompleteReport:
    async def test_details_added_later_are_kept(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"police_called": True, "driver": {"name": "张三", "licence_no": "350102199001011234"}},
            headers=arrange.member(member),
        )

        assert response.status_code == 200
        assert response.json()["police_called"] is True
        assert response.json()["driver"]["licence_no"] == "**************1234"

    async def test_an_injury_reported_later_routes_the_claim_on_site(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.patch(
            f"/api/v1/claims/{claim['id']}", json={"injury_or_death": True}, headers=arrange.member(member)
        )

        assert response.json()["status"] == "escalated_on_site"
        assert response.json()["on_site_reasons"] == ["injury_or_death"]

    async def test_someone_elses_claim_cannot_be_changed(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.patch(
            f"/api/v1/claims/{claim['id']}", json={"police_called": True}, headers=arrange.member()
        )

        assert response.status_code == 404

    async def test_a_report_cannot_be_changed_once_the_photos_are_submitted(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.submitted(member)

        response = await client.patch(
            f"/api/v1/claims/{claim['id']}", json={"police_called": True}, headers=arrange.member(member)
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/claim-not-editable")
