"""Claim query (理赔查询): a member sees only their own claims; the "Me" page lists them."""

import uuid

import httpx
from cheyou_kit.identity import Role

from ..conftest import Arrange  # noqa: TID252


class TestGetClaim:
    async def test_a_member_reads_their_claim(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.get(f"/api/v1/claims/{claim['id']}", headers=arrange.member(member))

        assert response.status_code == 200
        assert response.json()["claim_no"] == claim["claim_no"]

    async def test_another_members_claim_does_not_exist_for_them(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.get(f"/api/v1/claims/{claim['id']}", headers=arrange.member())

        assert response.status_code == 404
        assert response.json()["type"].endswith("/claim-not-found")

    async def test_a_surveyor_sees_no_claim_outside_the_queue(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.get(
            f"/api/v1/claims/{claim['id']}", headers=arrange.staff(Role.SURVEYOR, "surveyor1")
        )

        assert response.status_code == 404

    async def test_ops_read_any_claim(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.get(f"/api/v1/claims/{claim['id']}", headers=arrange.staff(Role.OPS))

        assert response.status_code == 200

    async def test_a_manager_may_not_read_claims(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.get(
            f"/api/v1/claims/{claim['id']}", headers=arrange.staff(Role.MANAGER, "m1")
        )

        assert response.status_code == 403

    async def test_without_the_gateways_identity_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/api/v1/claims/{uuid.uuid4()}")

        assert response.status_code == 401


class TestListClaims:
    async def test_a_member_pages_through_their_own_claims_newest_first(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        made = [await arrange.claim(member) for _ in range(3)]
        await arrange.claim(uuid.uuid4())

        first = (
            await client.get("/api/v1/claims", params={"limit": 2}, headers=arrange.member(member))
        ).json()
        second = (
            await client.get(
                "/api/v1/claims",
                params={"limit": 2, "cursor": first["next_cursor"]},
                headers=arrange.member(member),
            )
        ).json()

        listed = [c["id"] for c in first["items"] + second["items"]]
        assert listed == [c["id"] for c in reversed(made)]
        assert second["next_cursor"] is None

    async def test_a_full_last_page_says_there_is_no_next_one(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        made = [await arrange.claim(member) for _ in range(2)]

        page = (
            await client.get("/api/v1/claims", params={"limit": 2}, headers=arrange.member(member))
        ).json()

        assert [c["id"] for c in page["items"]] == [c["id"] for c in reversed(made)]
        assert page["next_cursor"] is None

    async def test_a_member_cannot_list_someone_elses_claims(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        other = uuid.uuid4()
        await arrange.claim(other)

        response = await client.get(
            "/api/v1/claims", params={"member_id": str(other)}, headers=arrange.member()
        )

        assert response.status_code == 403

    async def test_the_gateway_lists_a_named_members_claims(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.get(
            "/api/v1/claims",
            params={"member_id": str(member)},
            headers=arrange.staff(Role.SERVICE, "gateway"),
        )

        assert [c["id"] for c in response.json()["items"]] == [claim["id"]]

    async def test_staff_must_name_the_member(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        response = await client.get("/api/v1/claims", headers=arrange.staff(Role.OPS))

        assert response.status_code == 400
        assert response.json()["field"] == "member_id"

    async def test_a_forged_cursor_is_a_bad_request(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        response = await client.get("/api/v1/claims", params={"cursor": "bm9wZQ"}, headers=arrange.member())

        assert response.status_code == 400
        assert response.json()["field"] == "cursor"


class TestTimeline:
    async def test_the_timeline_speaks_plain_chinese(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))

        (step,) = response.json()["items"]
        assert step["code"] == "reported"
        assert step["text"].startswith(f"报案成功，报案号 {claim['claim_no']}")
        assert "福州市鼓楼区五四路" in step["text"]

    async def test_another_members_timeline_is_404(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member())

        assert response.status_code == 404
