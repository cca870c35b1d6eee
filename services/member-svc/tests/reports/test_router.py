"""``/member-reports``: JSON by default, ``?format=csv`` for the same table as CSV; ops and admin only."""

import csv
import io
from datetime import datetime
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.china_time import CHINA

from ..factories import register, verify  # noqa: TID252


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.OPS, staff_id="ops1")


async def report(
    client: httpx.AsyncClient, identities: Identities, name: str, **query: str
) -> dict[str, Any]:
    response = await client.get(f"/api/v1/member-reports/{name}", params=query, headers=ops(identities))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def table(
    client: httpx.AsyncClient, identities: Identities, name: str, **query: str
) -> list[dict[str, str]]:
    response = await client.get(
        f"/api/v1/member-reports/{name}", params={**query, "format": "csv"}, headers=ops(identities)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    return list(csv.DictReader(io.StringIO(response.text)))


def by_status(body: dict[str, Any]) -> dict[str, int]:
    """Members per status over all tiers (tiers move asynchronously with the policy feed; statuses not)."""
    counts: dict[str, int] = {}
    for row in body["rows"]:
        counts[row["status"]] = counts.get(row["status"], 0) + row["members"]
    return counts


class TestMembersByTierAndStatus:
    async def test_new_members_show_up_in_their_status(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        before = await report(client, identities, "members")
        pending = await register(client, identities)
        verified = await register(client, identities)
        await verify(client, identities, verified["member_id"])

        after = await report(client, identities, "members")

        assert pending["member_id"] != verified["member_id"]
        assert by_status(after)["pending"] == by_status(before).get("pending", 0) + 1
        assert by_status(after)["verified"] == by_status(before).get("verified", 0) + 1
        assert after["total"]["members"] == before["total"]["members"] + 2
        assert after["total"]["members"] == sum(r["members"] for r in after["rows"])
        tiers = ["prospective", "ordinary", "three_star", "four_star", "five_star"]
        assert [r["tier"] for r in after["rows"]] == sorted(
            (r["tier"] for r in after["rows"]), key=tiers.index
        )

    async def test_as_csv_the_rows_then_the_total(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        await register(client, identities)

        rows = await table(client, identities, "members")

        assert list(rows[0]) == ["tier", "status", "members"]
        assert (rows[-1]["tier"], rows[-1]["status"]) == ("all", "all")
        assert int(rows[-1]["members"]) == sum(int(r["members"]) for r in rows[:-1])


class TestJoinsByRoute:
    async def test_todays_registrations_by_route(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        today = datetime.now(CHINA).date().isoformat()
        query = {"period": "day", "from": today, "to": today}

        def joins(body: dict[str, Any], channel: str) -> int:
            return sum(r["registered"] for r in body["rows"] if r["channel"] == channel)

        before = await report(client, identities, "joins", **query)
        await register(client, identities, channel="web")
        await register(client, identities, channel="web")
        await register(client, identities, manager_code="MK7Q2Z9A")
        after = await report(client, identities, "joins", **query)
        rows = await table(client, identities, "joins", **query)

        assert joins(after, "web") == joins(before, "web") + 2
        assert joins(after, "manager_invite") == joins(before, "manager_invite") + 1
        assert {r["period_start"] for r in after["rows"]} == {today}
        assert (after["from"], after["to"], after["period"]) == (today, today, "day")
        assert list(rows[0]) == ["period_start", "channel", "registered", "verified"]
        assert (rows[-1]["period_start"], rows[-1]["channel"]) == ("", "all")
        assert int(rows[-1]["registered"]) == sum(int(r["registered"]) for r in rows[:-1])

    async def test_monthly_periods_start_on_the_first(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        await register(client, identities)

        body = await report(client, identities, "joins")

        assert body["period"] == "month"
        assert body["rows"]
        assert {r["period_start"][-2:] for r in body["rows"]} == {"01"}

    async def test_a_range_backwards_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await client.get(
            "/api/v1/member-reports/joins",
            params={"from": "2026-11-25", "to": "2026-11-01"},
            headers=ops(identities),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "from"


class TestVerificationThroughput:
    async def test_a_reviewers_callbacks_and_approvals_of_the_day(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        reviewer = f"reviewer-{datetime.now(CHINA).strftime('%H%M%S%f')}"
        first, second = await register(client, identities), await register(client, identities)
        await verify(client, identities, first["member_id"], reviewer_id=reviewer, callbacks=2)
        await verify(client, identities, second["member_id"], reviewer_id=reviewer, callbacks=1)
        today = datetime.now(CHINA).date().isoformat()

        body = await report(client, identities, "verification", **{"from": today, "to": today})
        rows = await table(client, identities, "verification", **{"from": today, "to": today})

        mine = [r for r in body["rows"] if r["reviewer_id"] == reviewer]
        assert mine == [
            {
                "day": today,
                "reviewer_id": reviewer,
                "callbacks": 3,
                "approved": 2,
                "rejected": 0,
                "approval_rate": 1.0,
                "waiting": None,
                "in_progress": None,
            }
        ]
        assert body["total"]["reviewer_id"] == "all"
        assert isinstance(body["total"]["waiting"], int)
        assert body["total"]["approved"] == sum(r["approved"] for r in body["rows"])
        assert [r for r in rows if r["reviewer_id"] == reviewer] == [
            {
                "day": today,
                "reviewer_id": reviewer,
                "callbacks": "3",
                "approved": "2",
                "rejected": "0",
                "approval_rate": "1.0",
                "waiting": "",
                "in_progress": "",
            }
        ]
        assert rows[-1]["reviewer_id"] == "all"
        assert rows[-1]["waiting"] == str(body["total"]["waiting"])


@pytest.mark.parametrize("name", ["members", "joins", "verification"])
@pytest.mark.parametrize("role", [Role.MEMBER, Role.MANAGER, Role.REVIEWER, Role.MERCHANT])
async def test_only_ops_and_admin_see_reports(
    client: httpx.AsyncClient, identities: Identities, name: str, role: Role
) -> None:
    for fmt in ("json", "csv"):
        response = await client.get(
            f"/api/v1/member-reports/{name}",
            params={"format": fmt},
            headers=identities.headers("member-svc", role, staff_id="manager1", member_id=None),
        )

        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"


async def test_admin_sees_reports(client: httpx.AsyncClient, identities: Identities) -> None:
    response = await client.get(
        "/api/v1/member-reports/members", headers=identities.headers("member-svc", Role.ADMIN)
    )

    assert response.status_code == 200
