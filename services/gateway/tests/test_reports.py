"""The club report: the branch's two tables composed from the services' report endpoints, for ops only."""

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest

from .sign_in import bearer
from .stand_ins import World

PERIOD = {"from": "2026-01-01T00:00:00+08:00", "to": "2027-01-01T00:00:00+08:00"}


class TestClubReport:
    async def test_ops_read_both_tables_from_the_services_figures(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/api/v1/reports/club", params=PERIOD, headers=await bearer(client, "ops1")
        )

        assert response.status_code == 200, response.text
        report = response.json()
        members = {row["item"]: row["count"] for row in report["members"]["rows"]}
        # Verified members only: the three pending applicants are not members yet.
        assert members == {"five_star": 1, "four_star": 0, "three_star": 0, "ordinary": 20, "prospective": 4}
        assert report["members"]["total"] == 25
        services = {row["item"]: row["count"] for row in report["services"]["rows"]}
        assert services == {
            "annual_inspection_agency": 0,
            "car_wash": 14,
            "fuel_discount": 2,
            "fast_claims": 874,  # handled online; the 26 routed on site are not "fast"
            "after_drinking_driving": 0,
            "points_redemptions": 11,
            "other_services": 2,  # completed orders of privileges the table does not name
        }
        assert report["services"]["total"] == 903
        assert report["activity_participations"] == 26
        assert report["from"] == "2026-01-01T00:00:00+08:00"
        assert report["members"]["rows"][0]["name"] == "五星会员"

    async def test_the_csv_has_each_tables_total_then_its_rows(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/api/v1/reports/club", params={**PERIOD, "format": "csv"}, headers=await bearer(client, "admin")
        )

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["table", "item", "name", "count"]
        assert ["members", "total", "会员", "25"] in rows
        assert ["services", "fast_claims", "快捷理赔服务", "874"] in rows
        assert rows[-1] == ["activities", "participations", "会员活动参与人次", "26"]

    async def test_the_chart_draws_a_bar_per_row(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/api/v1/reports/club", params={**PERIOD, "format": "svg"}, headers=await bearer(client, "ops1")
        )

        assert response.headers["content-type"] == "image/svg+xml"
        svg = ET.fromstring(response.text)
        bars = list(svg.iter("{http://www.w3.org/2000/svg}rect"))[1:]  # the first is the background
        assert len(bars) == 5 + 7 + 1
        labels = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
        assert "874" in labels

    @pytest.mark.parametrize("username", ["manager1", "reviewer1", "surveyor1"])
    async def test_other_staff_may_not_read_it(self, client: httpx.AsyncClient, username: str) -> None:
        response = await client.get(
            "/api/v1/reports/club", params=PERIOD, headers=await bearer(client, username)
        )

        assert response.status_code == 403

    async def test_a_period_ending_before_it_starts_is_refused(self, client: httpx.AsyncClient) -> None:
        inverted = {"from": PERIOD["to"], "to": PERIOD["from"]}
        response = await client.get(
            "/api/v1/reports/club", params=inverted, headers=await bearer(client, "ops1")
        )

        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_period_without_an_offset_is_refused(self, client: httpx.AsyncClient) -> None:
        naive = {"from": "2026-01-01T00:00:00", "to": "2027-01-01T00:00:00"}
        response = await client.get(
            "/api/v1/reports/club", params=naive, headers=await bearer(client, "ops1")
        )

        assert response.status_code == 422

    async def test_a_failing_source_fails_the_report_rather_than_showing_a_zero(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        world.broken.add("claims-svc")
        try:
            response = await client.get(
                "/api/v1/reports/club", params=PERIOD, headers=await bearer(client, "ops1")
            )
        finally:
            world.broken.discard("claims-svc")

        assert response.status_code == 503
        assert "claims-svc" in response.json()["detail"]

    async def test_a_period_longer_than_three_years_is_refused(self, client: httpx.AsyncClient) -> None:
        long = {"from": "2020-01-01T00:00:00+08:00", "to": "2023-01-05T00:00:00+08:00"}
        response = await client.get("/api/v1/reports/club", params=long, headers=await bearer(client, "ops1"))

        assert response.status_code == 400
        assert response.json()["field"] == "from"

    async def test_a_source_refusing_the_period_is_the_callers_problem_not_an_outage(
        self, client: httpx.AsyncClient
    ) -> None:
        refused = {"from": "2001-01-01T00:00:00+08:00", "to": "2002-01-01T00:00:00+08:00"}
        response = await client.get(
            "/api/v1/reports/club", params=refused, headers=await bearer(client, "ops1")
        )

        assert response.status_code == 422
        problem = response.json()
        assert problem["type"].endswith("/report-source-refused")
        assert problem["source"] == "claims-svc"
        assert "before the claims' era" in problem["detail"]
