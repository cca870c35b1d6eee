"""A manager corrects a customer's contact details and vehicles (audited, the same proofs as the member's
own change) and registers a customer on the spot (the application still goes to verification)."""

from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

from ..factories import id_number, phone, plate, register, registration, verify  # noqa: TID252


def manager(identities: Identities, name: str = "manager1", **ids: Any) -> dict[str, str]:
    return identities.headers("member-svc", Role.MANAGER, subject=name, staff_id=name, **ids)


async def _customer(client: httpx.AsyncClient, identities: Identities) -> str:
    member = await register(client, identities, manager_code="MK7Q2Z9A")
    await verify(client, identities, member["member_id"])
    return str(member["member_id"])


class TestCorrections:
    async def test_vehicles_are_corrected_and_the_change_is_audited(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await _customer(client, identities)
        new_plate = plate()

        corrected = await client.post(
            f"/api/v1/members/{member_id}/corrections",
            json={"reason": "客户换了车", "vehicles": [{"plate": new_plate, "kind": "household_car"}]},
            headers=manager(identities),
        )
        member = await client.get(f"/api/v1/members/{member_id}", headers=manager(identities))
        audit = await client.get(f"/api/v1/members/{member_id}/corrections", headers=manager(identities))

        assert corrected.status_code == 201, corrected.text
        assert corrected.json()["fields"] == ["vehicles"]
        assert corrected.json()["proof"] is None
        assert [v["plate"] for v in member.json()["vehicles"]] == [new_plate]
        assert audit.json()[0]["actor"] == "manager1"
        assert audit.json()[0]["reason"] == "客户换了车"
        assert audit.json()[0]["after"]["vehicles"][0]["plate"] == new_plate

    async def test_a_new_phone_without_the_code_sent_to_it_is_refused_and_nothing_changes(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await _customer(client, identities)
        before = (await client.get(f"/api/v1/members/{member_id}", headers=manager(identities))).json()

        refused = await client.post(
            f"/api/v1/members/{member_id}/corrections",
            json={"reason": "换号", "phone": phone()},
            headers=manager(identities),
        )
        after = (await client.get(f"/api/v1/members/{member_id}", headers=manager(identities))).json()
        audit = await client.get(f"/api/v1/members/{member_id}/corrections", headers=manager(identities))

        assert refused.status_code == 403
        assert refused.json()["type"].endswith("phone-change-needs-proof")
        assert after["phone_masked"] == before["phone_masked"]
        assert audit.json() == []

    async def test_a_new_phone_with_its_proof_is_changed(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await _customer(client, identities)
        number = phone()

        corrected = await client.post(
            f"/api/v1/members/{member_id}/corrections",
            json={"reason": "客户换号", "phone": number},
            headers=manager(identities, verified_phone=number),
        )

        assert corrected.status_code == 201, corrected.text
        assert corrected.json()["proof"] == "sms_code_to_new_phone"
        assert corrected.json()["after"]["phone"] == f"{number[:3]}****{number[-4:]}"

    async def test_the_number_replaced_is_named_for_the_gateways_notice_and_nowhere_in_the_body(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities, manager_code="MK7Q2Z9A")
        await verify(client, identities, member["member_id"])
        number = phone()

        corrected = await client.post(
            f"/api/v1/members/{member['member_id']}/corrections",
            json={"reason": "客户换号", "phone": number},
            headers=manager(identities, verified_phone=number),
        )
        vehicles = await client.post(
            f"/api/v1/members/{member['member_id']}/corrections",
            json={"reason": "客户换车", "vehicles": [{"plate": plate(), "kind": "household_car"}]},
            headers=manager(identities),
        )

        assert corrected.headers["x-replaced-phone"] == member["phone"]
        assert member["phone"] not in corrected.text
        assert "x-replaced-phone" not in vehicles.headers

    async def test_another_managers_customer_is_404_and_nothing_is_written(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await _customer(client, identities)

        response = await client.post(
            f"/api/v1/members/{member_id}/corrections",
            json={"reason": "not mine", "vehicles": []},
            headers=manager(identities, "manager2"),
        )
        audit = await client.get(f"/api/v1/members/{member_id}/corrections", headers=manager(identities))

        assert response.status_code == 404
        assert audit.json() == []

    async def test_a_correction_without_anything_to_correct_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await _customer(client, identities)

        response = await client.post(
            f"/api/v1/members/{member_id}/corrections",
            json={"reason": "nothing"},
            headers=manager(identities),
        )

        assert response.status_code == 422


class TestOnTheSpot:
    async def test_a_customer_registered_on_the_spot_waits_for_verification_with_the_manager(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration(id_number=id_number(), phone=phone(), manager_code=None)

        accepted = await client.post(
            "/api/v1/managers/manager1/registrations",
            json=body,
            headers=manager(identities, verified_phone=body["phone"]),
        )
        applications = await client.get(
            "/api/v1/applications?status=queued&limit=100",
            headers=identities.headers(
                "member-svc", Role.REVIEWER, subject="reviewer1", staff_id="reviewer1"
            ),
        )

        assert accepted.status_code == 202
        assert accepted.json()["status"] == "received"
        assert applications.status_code == 200

    async def test_without_the_customers_phone_proof_it_is_401_and_nothing_is_written(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration()

        refused = await client.post(
            "/api/v1/managers/manager1/registrations", json=body, headers=manager(identities)
        )
        other_phone = await client.post(
            "/api/v1/managers/manager1/registrations",
            json=body,
            headers=manager(identities, verified_phone=phone()),
        )
        found = await client.post(
            "/api/v1/members/identify",
            json={"phone": body["phone"]},
            headers=identities.headers("member-svc", Role.SERVICE),
        )

        assert refused.status_code == 401
        assert other_phone.status_code == 422
        assert found.status_code == 404

    async def test_a_manager_registers_only_as_themself(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration()

        response = await client.post(
            "/api/v1/managers/manager2/registrations",
            json=body,
            headers=manager(identities, verified_phone=body["phone"]),
        )

        assert response.status_code == 404
