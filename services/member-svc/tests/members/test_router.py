import asyncio
import json
import uuid

import httpx
import pytest
from cheyou_events import sealing
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.config import Settings

from ..factories import id_number, member_events, phone, register, registration, verify  # noqa: TID252

SERVICE = Role.SERVICE


def service_headers(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", SERVICE)


async def identify(client: httpx.AsyncClient, identities: Identities, **body: str) -> httpx.Response:
    return await client.post("/api/v1/members/identify", json=body, headers=service_headers(identities))


class TestRegister:
    async def test_registration_masks_pii_and_queues_verification(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration(id_number=id_number("female"), phone="13800138000", gender="female")

        response = await client.post("/api/v1/members", json=body, headers=service_headers(identities))

        assert response.status_code == 201, response.text
        member = response.json()
        assert member["status"] == "pending"
        assert member["tier"] == "prospective"
        assert member["phone_masked"] == "138****8000"
        # the last four only: the region prefix with the birth year and gender would narrow the rest down
        assert member["id_number_masked"] == "*" * 14 + body["id_number"][-4:]
        assert member["name_masked"] == "林**"
        assert member["gender"] is None  # never beside the last four (test_id_masking.py)
        assert "id_number" not in member
        assert "phone" not in member
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        application = await client.get(f"/api/v1/members/{member['member_id']}/application", headers=own)
        assert application.json()["status"] == "queued"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("id_number", "350102199003070121", "check character"),
            ("id_number", "3501021990030701", "17 digits"),
            ("phone", "12345678901", "mobile"),
            ("phone", "1380013800", "mobile"),
        ],
    )
    async def test_a_bad_identifier_is_422_naming_the_field_and_writes_nothing(
        self, client: httpx.AsyncClient, identities: Identities, field: str, value: str, message: str
    ) -> None:
        body = registration(**{field: value})

        response = await client.post("/api/v1/members", json=body, headers=service_headers(identities))

        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["field"] == f"body.{field}"
        assert message in error["message"]
        other = "phone" if field == "id_number" else "id_number"
        if other == "phone":
            assert (await identify(client, identities, phone=body["phone"])).status_code == 404

    @pytest.mark.parametrize(
        ("vehicle", "field"),
        [
            ({"plate": "闽A1234"}, "body.vehicles.0.plate"),
            ({"plate": "XA12345"}, "body.vehicles.0.plate"),
            ({"plate": "闽A12345", "vin": "LSVAU2180N2183291"}, "body.vehicles.0.vin"),
            ({"plate": "闽A12345", "vin": "LSVAU2180N218329"}, "body.vehicles.0.vin"),
        ],
    )
    async def test_a_bad_plate_or_vin_is_422_naming_the_field(
        self, client: httpx.AsyncClient, identities: Identities, vehicle: dict[str, str], field: str
    ) -> None:
        body = registration(vehicles=[vehicle])

        response = await client.post("/api/v1/members", json=body, headers=service_headers(identities))

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
        assert (await identify(client, identities, phone=body["phone"])).status_code == 404

    async def test_new_energy_plates_of_eight_characters_are_accepted(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(
            client, identities, vehicles=[{"plate": "闽AD12345"}, {"plate": "闽a 12345f"}]
        )

        assert sorted(v["plate"] for v in member["vehicles"]) == ["闽A12345F", "闽AD12345"]

    async def test_the_same_id_number_twice_is_409(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        first = await register(client, identities)

        response = await client.post(
            "/api/v1/members",
            json=registration(id_number=first["id_number"]),
            headers=service_headers(identities),
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/member-exists")

    async def test_simultaneous_registrations_with_one_id_make_exactly_one_member(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        shared = id_number()
        bodies = [registration(id_number=shared) for _ in range(5)]

        responses = await asyncio.gather(
            *(client.post("/api/v1/members", json=b, headers=service_headers(identities)) for b in bodies)
        )

        assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
        found = [await identify(client, identities, phone=b["phone"]) for b in bodies]
        assert [r.status_code for r in found].count(200) == 1

    async def test_a_phone_of_another_member_is_409(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        first = await register(client, identities)

        response = await client.post(
            "/api/v1/members", json=registration(phone=first["phone"]), headers=service_headers(identities)
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/phone-taken")

    async def test_an_unknown_manager_code_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration(manager_code="NOPE1234")

        response = await client.post("/api/v1/members", json=body, headers=service_headers(identities))

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "manager_code"
        assert (await identify(client, identities, phone=body["phone"])).status_code == 404

    async def test_a_gender_against_the_id_number_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration(id_number=id_number("male"), gender="female")

        response = await client.post("/api/v1/members", json=body, headers=service_headers(identities))

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "gender"

    async def test_a_manager_invite_code_records_the_route(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities, manager_code="mk7q2z9a")

        assert member["join_channel"] == "manager_invite"


class TestIdentify:
    async def test_by_phone_and_by_openid(self, client: httpx.AsyncClient, identities: Identities) -> None:
        openid = f"o{uuid.uuid4().hex}"
        member = await register(client, identities, openid=openid)

        by_phone = await identify(client, identities, phone=member["phone"])
        by_openid = await identify(client, identities, openid=openid)

        assert by_phone.json() == {"member_id": member["member_id"], "status": "pending"}
        assert by_openid.json() == by_phone.json()

    async def test_unknown_is_404(self, client: httpx.AsyncClient, identities: Identities) -> None:
        assert (await identify(client, identities, phone=phone())).status_code == 404

    async def test_only_the_service_role_may_identify(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/members/identify",
            json={"phone": phone()},
            headers=identities.headers("member-svc", Role.OPS),
        )

        assert response.status_code == 403

    async def test_both_or_neither_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        assert (await identify(client, identities)).status_code == 422


class TestBindOpenid:
    async def test_binding_is_one_to_one(self, client: httpx.AsyncClient, identities: Identities) -> None:
        first, second = await register(client, identities), await register(client, identities)
        openid = f"o{uuid.uuid4().hex}"
        headers = service_headers(identities)

        bound = await client.put(
            f"/api/v1/members/{first['member_id']}/openid", json={"openid": openid}, headers=headers
        )
        again = await client.put(
            f"/api/v1/members/{first['member_id']}/openid", json={"openid": openid}, headers=headers
        )
        stolen = await client.put(
            f"/api/v1/members/{second['member_id']}/openid", json={"openid": openid}, headers=headers
        )
        other = await client.put(
            f"/api/v1/members/{first['member_id']}/openid",
            json={"openid": f"o{uuid.uuid4().hex}"},
            headers=headers,
        )

        assert bound.status_code == 200
        assert bound.json()["wechat_bound"] is True
        assert again.status_code == 200
        assert stolen.status_code == 409
        assert other.status_code == 409
        assert (await identify(client, identities, openid=openid)).json()["member_id"] == first["member_id"]

    async def test_a_verified_members_new_binding_is_announced_to_notify(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        openid = f"o{uuid.uuid4().hex}"

        await client.put(
            f"/api/v1/members/{member['member_id']}/openid",
            json={"openid": openid},
            headers=service_headers(identities),
        )

        events = await member_events(
            service_settings.kafka_bootstrap_servers,
            member["member_id"],
            "cheyou.member.contact_changed.v1",
            2,
        )
        assert events[0]["openid"] is None
        assert member["phone"] not in json.dumps(events)
        assert events[0]["phone"] is None
        sealed = events[0]["phone_sealed"]
        assert sealing.unseal(sealed, partition_key=member["member_id"], field="phone") == member["phone"]
        assert events[1]["openid"] == openid


class TestGetMember:
    async def test_the_member_sees_themself_masked(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])

        response = await client.get(f"/api/v1/members/{member['member_id']}", headers=own)

        assert response.status_code == 200
        assert set(response.json()) >= {
            "member_id",
            "tier",
            "status",
            "name_masked",
            "phone_masked",
            "manager_id",
            "joined_at",
        }

    @pytest.mark.parametrize("role", [Role.MEMBER, Role.MANAGER, Role.MERCHANT])
    async def test_someone_elses_member_is_404(
        self, client: httpx.AsyncClient, identities: Identities, role: Role
    ) -> None:
        member = await register(client, identities)
        ids = {"member_id": uuid.uuid4()} if role == Role.MEMBER else {"staff_id": "manager2"}

        response = await client.get(
            f"/api/v1/members/{member['member_id']}", headers=identities.headers("member-svc", role, **ids)
        )

        assert response.status_code == 404


class TestReadPii:
    async def test_an_admin_reads_full_values_and_the_read_is_audited(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        admin = identities.headers("member-svc", Role.ADMIN, staff_id="admin")

        response = await client.get(
            f"/api/v1/members/{member['member_id']}/pii?purpose=complaint 42", headers=admin
        )
        audit = await client.get(f"/api/v1/members/{member['member_id']}/pii-reads", headers=admin)

        assert response.json()["id_number"] == member["id_number"]
        assert response.json()["phone"] == member["phone"]
        assert [(r["actor"], r["purpose"]) for r in audit.json()] == [("admin", "complaint 42")]

    async def test_ops_may_not_read_full_values(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)

        response = await client.get(
            f"/api/v1/members/{member['member_id']}/pii?purpose=curious",
            headers=identities.headers("member-svc", Role.OPS),
        )

        assert response.status_code == 403


class TestMemberCard:
    async def test_a_verified_member_gets_a_qr_png_of_a_signed_code(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        await verify(client, identities, member["member_id"])
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])

        response = await client.get(f"/api/v1/members/{member['member_id']}/card", headers=own)

        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")

    async def test_a_forged_code_is_not_accepted(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        code = f"CY1.{uuid.uuid4().hex}.9999999999.AAAAAAAAAAAAAAAAAAAAAA"

        response = await client.post(
            "/api/v1/members/card-code-checks",
            json={"code": code},
            headers=identities.headers("member-svc", Role.MERCHANT),
        )

        assert response.status_code == 404
