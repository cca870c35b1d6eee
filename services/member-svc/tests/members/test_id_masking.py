"""The ID number's last four never travel with the birth year, gender and region (security issue 17, Low).

A mainland ID number is region (6 digits), birth date (8), sequence (3, the last one odd for men) and a
check character. The last four with the birth year, the gender and the region leave the month and day
to guess, and the check character cuts those 366 down to about 33 numbers: enough to try. So a view
carries the last four or the profile, never both; only the reviewer holding the application, who reads
the full data anyway (audited), gets both.
"""

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

from ..factories import id_number, register, verify  # noqa: TID252

PROFILE = ("birth_year", "gender", "region_code")


def last_four_only(member: dict[str, object], id_no: str) -> None:
    assert member["id_number_masked"] == "*" * 14 + id_no[-4:]
    assert {field: member[field] for field in PROFILE} == dict.fromkeys(PROFILE)


def profile_only(member: dict[str, object]) -> None:
    assert member["id_number_masked"] is None
    assert all(member[field] is not None for field in PROFILE)


class TestWhatEachViewerSees:
    async def test_a_member_reading_themself_gets_the_last_four_and_no_birth_year_gender_or_region(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities, id_number=id_number("female"), region_code="350102")
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])

        answer = await client.get(f"/api/v1/members/{member['member_id']}", headers=own)
        changed = await client.patch(
            f"/api/v1/members/{member['member_id']}", json={"interests": ["yoga"]}, headers=own
        )

        assert answer.status_code == 200, answer.text
        last_four_only(answer.json(), member["id_number"])
        assert changed.status_code == 200, changed.text
        last_four_only(changed.json(), member["id_number"])

    async def test_a_manager_reading_a_customer_gets_the_last_four_and_no_birth_year_gender_or_region(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities, manager_code="MK7Q2Z9A", region_code="350102")
        await verify(client, identities, member["member_id"])
        manager = identities.headers("member-svc", Role.MANAGER, subject="manager1", staff_id="manager1")

        one = await client.get(f"/api/v1/members/{member['member_id']}", headers=manager)
        customers = await client.get("/api/v1/managers/manager1/customers?limit=100", headers=manager)
        search = await client.get("/api/v1/members?region_code=3501&limit=100", headers=manager)

        assert one.status_code == 200, one.text
        last_four_only(one.json(), member["id_number"])
        for page in (customers, search):
            assert page.status_code == 200, page.text
            assert page.json()["items"]
            for customer in page.json()["items"]:
                assert customer["id_number_masked"].startswith("*" * 14)
                assert {field: customer[field] for field in PROFILE} == dict.fromkeys(PROFILE)

    async def test_ops_segmenting_members_gets_the_profile_and_no_digit_of_the_id_number(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities, region_code="350102")
        ops = identities.headers("member-svc", Role.OPS, subject="ops1", staff_id="ops1")

        one = await client.get(f"/api/v1/members/{member['member_id']}", headers=ops)
        search = await client.get("/api/v1/members?region_code=350102&limit=100", headers=ops)

        assert one.status_code == 200, one.text
        profile_only(one.json())
        assert one.json()["region_code"] == "350102"
        assert search.status_code == 200, search.text
        for found in search.json()["items"]:
            profile_only(found)

    async def test_only_the_reviewer_holding_the_application_gets_both(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities, region_code="350102")
        holder = identities.headers("member-svc", Role.REVIEWER, subject="reviewer7", staff_id="reviewer7")
        other = identities.headers("member-svc", Role.REVIEWER, subject="reviewer8", staff_id="reviewer8")
        seen: list[str] = []
        while True:
            claimed = await client.post("/api/v1/applications/claim", headers=holder)
            assert claimed.status_code == 200, claimed.text
            if claimed.json()["member_id"] == member["member_id"]:
                break
            seen.append(claimed.json()["task_id"])
        for task_id in seen:
            await client.post(f"/api/v1/applications/{task_id}/release", headers=holder)
        task = claimed.json()

        looked_on = await client.get(f"/api/v1/applications/{task['task_id']}", headers=other)

        assert task["full"]["id_number"] == member["id_number"]
        assert task["member"]["id_number_masked"] == "*" * 14 + member["id_number"][-4:]
        assert all(task["member"][field] is not None for field in PROFILE)
        assert looked_on.status_code == 200, looked_on.text
        assert looked_on.json()["full"] is None
        profile_only(looked_on.json()["member"])
