"""Vehicles with their first registration date and kind; ``member.vehicles_changed`` carries the list."""

from datetime import date, timedelta

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.config import Settings

from ..factories import member_events, plate, register, registration, verify, vin  # noqa: TID252

VEHICLES_CHANGED = "cheyou.member.vehicles_changed.v1"


class TestVehicles:
    async def test_registration_date_and_kind_are_kept(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        car, bike = plate(), plate()

        member = await register(
            client,
            identities,
            vehicles=[
                {"plate": car, "vin": vin(), "registered_on": "2019-04-18"},
                {"plate": bike, "kind": "motorcycle"},
            ],
        )

        assert sorted((v["plate"], v["registered_on"], v["kind"]) for v in member["vehicles"]) == sorted(
            [(car, "2019-04-18", "household_car"), (bike, None, "motorcycle")]
        )

    @pytest.mark.parametrize(
        ("vehicle", "field"),
        [
            ({"registered_on": (date.today() + timedelta(days=10)).isoformat()}, "registered_on"),
            ({"kind": "tank"}, "kind"),
        ],
    )
    async def test_a_future_registration_date_or_unknown_kind_is_422(
        self, client: httpx.AsyncClient, identities: Identities, vehicle: dict[str, str], field: str
    ) -> None:
        body = registration(vehicles=[{"plate": plate(), **vehicle}])

        response = await client.post(
            "/api/v1/members", json=body, headers=identities.headers("member-svc", Role.SERVICE)
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == f"body.vehicles.0.{field}"

    async def test_the_full_list_goes_out_on_verification_and_on_each_change(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        car, other = plate(), plate()
        member = await register(client, identities, vehicles=[{"plate": car}])
        await verify(client, identities, member["member_id"])
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])

        changed = await client.patch(
            f"/api/v1/members/{member['member_id']}",
            json={
                "vehicles": [
                    {"plate": car, "registered_on": "2020-06-01"},
                    {"plate": other, "kind": "commercial_vehicle"},
                ]
            },
            headers=own,
        )
        unchanged = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"interests": ["sports"]}, headers=own
        )

        assert changed.status_code == 200, changed.text
        assert unchanged.status_code == 200
        events = await member_events(
            service_settings.kafka_bootstrap_servers, member["member_id"], VEHICLES_CHANGED, 2
        )
        both: list[dict[str, str | None]] = [
            {"plate": car, "registered_on": "2020-06-01", "kind": "household_car"},
            {"plate": other, "registered_on": None, "kind": "commercial_vehicle"},
        ]
        assert [e["vehicles"] for e in events] == [
            [{"plate": car, "registered_on": None, "kind": "household_car"}],
            sorted(both, key=lambda v: str(v["plate"])),
        ]
