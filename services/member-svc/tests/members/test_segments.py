"""The segment query of the ops screens: tier, status, interest, gender, region, join route, manager."""

import random
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

from ..factories import id_number, register, verify  # noqa: TID252


def region() -> str:
    """A division code no other test uses, so the segment holds only this test's members."""
    return f"4{random.randrange(10**4):04d}{random.randrange(1, 10)}"


async def segment(client: httpx.AsyncClient, headers: dict[str, str], **query: Any) -> list[str]:
    response = await client.get("/api/v1/members", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(m["member_id"] for m in response.json()["items"])


class TestSegments:
    async def test_each_filter_narrows_the_members(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        code = region()
        her = await register(
            client, identities, region_code=code, id_number=id_number("female"), interests=["photography"]
        )
        him = await register(
            client, identities, region_code=code, id_number=id_number("male"), interests=["sports"]
        )
        invited = await register(
            client,
            identities,
            region_code=code,
            id_number=id_number("male"),
            interests=["photography", "family"],
            manager_code="MK7Q2Z9A",
        )
        await verify(client, identities, invited["member_id"])
        ops = identities.headers("member-svc", Role.OPS)
        ids = {"her": her["member_id"], "him": him["member_id"], "invited": invited["member_id"]}

        def named(*names: str) -> list[str]:
            return sorted(ids[n] for n in names)

        assert await segment(client, ops, region_code=code) == named("her", "him", "invited")
        assert await segment(client, ops, region_code=code[:4]) >= named("her", "him", "invited")
        assert await segment(client, ops, region_code=code, gender="female") == named("her")
        assert await segment(client, ops, region_code=code, interest="photography") == named("her", "invited")
        assert await segment(client, ops, region_code=code, join_channel="manager_invite") == named("invited")
        assert await segment(client, ops, region_code=code, status="verified") == named("invited")
        assert await segment(client, ops, region_code=code, tier="prospective", status="pending") == named(
            "her", "him"
        )
        assert await segment(client, ops, region_code=code, manager_id="manager1") == named("invited")

    async def test_a_manager_sees_only_their_own_customers(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        code = region()
        await register(client, identities, region_code=code)
        invited = await register(client, identities, region_code=code, manager_code="MK7Q2Z9A")
        await verify(client, identities, invited["member_id"])

        mine = await segment(
            client, identities.headers("member-svc", Role.MANAGER, staff_id="manager1"), region_code=code
        )
        others = await segment(
            client,
            identities.headers("member-svc", Role.MANAGER, staff_id="manager2"),
            region_code=code,
            manager_id="manager1",
        )

        assert mine == [invited["member_id"]]
        assert others == []

    async def test_pages_follow_the_cursor_to_the_end(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        code = region()
        members = [await register(client, identities, region_code=code) for _ in range(3)]
        ops = identities.headers("member-svc", Role.OPS)

        first = await client.get("/api/v1/members", params={"region_code": code, "limit": 2}, headers=ops)
        second = await client.get(
            "/api/v1/members",
            params={"region_code": code, "limit": 2, "cursor": first.json()["next_cursor"]},
            headers=ops,
        )

        assert len(first.json()["items"]) == 2
        assert second.json()["next_cursor"] is None
        seen = [m["member_id"] for m in first.json()["items"] + second.json()["items"]]
        assert sorted(seen) == sorted(m["member_id"] for m in members)

    async def test_a_cursor_we_did_not_issue_is_400(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            "/api/v1/members",
            params={"cursor": "not-ours"},
            headers=identities.headers("member-svc", Role.OPS),
        )

        assert response.status_code == 400
        assert response.json()["field"] == "cursor"

    @pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT, Role.REVIEWER])
    async def test_other_roles_may_not_query_segments(
        self, client: httpx.AsyncClient, identities: Identities, role: Role
    ) -> None:
        response = await client.get("/api/v1/members", headers=identities.headers("member-svc", role))

        assert response.status_code == 403
