import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

from ..factories import id_number, phone, registration  # noqa: TID252


def csv_body(rows: list[str]) -> bytes:
    return ("name,id_number,phone,region_code,plate,vin,manager_id\n" + "\n".join(rows) + "\n").encode()


class TestImportInvitations:
    async def test_a_per_row_report_and_a_rerun_creates_nothing(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        good, person_phone = id_number(), phone()
        body = csv_body(
            [
                f"陈一,{good},{person_phone},350102,闽A12345,,manager1",
                f"陈二,350102199003070121,{phone()},,,,",
                f"陈三,{id_number()},{phone()},,闽1234,,",
            ]
        )
        ops = identities.headers("member-svc", Role.OPS, staff_id="ops1")

        first = await client.post("/api/v1/members/imports", content=body, headers=ops)
        again = await client.post("/api/v1/members/imports", content=body, headers=ops)

        assert first.status_code == 201
        assert [(r["row"], r["status"]) for r in first.json()["report"]] == [
            (2, "created"),
            (3, "invalid"),
            (4, "invalid"),
        ]
        assert first.json()["report"][1]["errors"][0]["field"] == "id_number"
        assert first.json()["report"][2]["errors"][0]["field"] == "plate"
        assert (again.json()["created"], again.json()["existing"]) == (0, 1)

    async def test_an_invited_person_completes_the_invitation_by_registering(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        invited = id_number()
        ops = identities.headers("member-svc", Role.OPS, staff_id="ops1")
        await client.post(
            "/api/v1/members/imports", content=csv_body([f"周五,{invited},{phone()},,,,"]), headers=ops
        )

        response = await client.post(
            "/api/v1/members",
            json=registration(id_number=invited),
            headers=identities.headers("member-svc", Role.SERVICE),
        )

        assert response.status_code == 201
        assert response.json()["join_channel"] == "import"
        assert response.json()["status"] == "pending"

    async def test_the_report_as_csv(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await client.post(
            "/api/v1/members/imports?format=csv",
            content=csv_body([f"x,{id_number()},123,,,,"]),
            headers=identities.headers("member-svc", Role.ADMIN),
        )

        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.splitlines()[1].startswith("2,invalid,,")

    async def test_a_file_without_the_required_columns_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/members/imports",
            content=b"foo,bar\n1,2\n",
            headers=identities.headers("member-svc", Role.OPS),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "file"
