"""``/claim-reports/figures``: claims reported in a period, by status, route, on-site reason, day or month."""

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from claims_svc import flows
from claims_svc.claims.models import Claim
from claims_svc.claims.schemas import ClaimCreate
from claims_svc.config import Settings
from claims_svc.reports import service
from claims_svc.reports.schemas import Figures
from sqlalchemy.ext.asyncio import AsyncSession

from ..conftest import Arrange  # noqa: TID252

URL = "/api/v1/claim-reports/figures"
FUZHOU = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n%%EOF\n"
BASICS = ["id_card", "driving_licence", "vehicle_licence", "bank_card", "repair_invoice"]
MEASURES = ["reported", "self_service", "on_site", "withdrawn", "settled", "photos_reshot"]


def counts(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["key"], *(row[m] for m in MEASURES))


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def figures(client: httpx.AsyncClient, headers: dict[str, str], **query: str) -> dict[str, Any]:
    response = await client.get(URL, params=query, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestFiguresRoute:
    async def test_the_claims_reported_in_the_period_by_status_route_reason_and_day(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        ops = arrange.staff(Role.OPS)
        surveyor = arrange.staff(Role.SURVEYOR, "surveyor1")
        start = datetime.now(UTC)
        members = [uuid.uuid4() for _ in range(7)]
        reported = await arrange.claim(members[0])
        injured = await arrange.claim(members[1], injury_or_death=True)
        stranded = await arrange.claim(members[2], injury_or_death=True, vehicles_drivable=False)
        withdrawn = await arrange.claim(members[3])
        response = await client.post(
            f"/api/v1/claims/{withdrawn['id']}/withdrawal",
            json={"reason": "已与对方私了"},
            headers=arrange.member(members[3]),
        )
        assert response.json()["outcome"] == "withdrawn"
        reshoot = await arrange.taken(members[4])
        response = await client.post(
            f"/api/v1/surveys/{reshoot['id']}/reshoot-request",
            json={"slots": ["odometer"], "note": "仪表盘看不清"},
            headers=surveyor,
        )
        assert response.status_code == 200, response.text
        everyone = [reported, injured, stranded, withdrawn, reshoot]
        settlements = []
        for member, close in ((members[5], False), (members[6], True)):
            claim = await arrange.confirmed(member)
            for kind in BASICS:
                await client.post(
                    f"/api/v1/claims/{claim['id']}/documents",
                    data={"kind": kind},
                    files={"file": ("scan.pdf", PDF, "application/pdf")},
                    headers=arrange.member(member),
                )
            url = f"/api/v1/claims/{claim['id']}"
            await client.post(
                f"{url}/adjudication", json={"decision": "approved", "amount_fen": 9000}, headers=ops
            )
            paid = (await client.post(f"{url}/payment", json={"amount_fen": 9000}, headers=ops)).json()
            assert paid["status"] == "paid"
            everyone.append(paid)
            steps = (await client.get(f"{url}/timeline", params={"limit": 100}, headers=ops)).json()
            paid_at = next(at(s["at"]) for s in steps["items"] if s["code"] == "paid")
            settlements.append((paid_at - at(paid["reported_at"])).total_seconds())
            if close:
                assert (await client.post(f"{url}/closure", headers=ops)).json()["status"] == "closed"
        end = datetime.now(UTC) + timedelta(microseconds=1)

        body = await figures(client, ops, **{"from": start.isoformat(), "to": end.isoformat(), "by": "day"})

        assert at(body["from"]) == start
        assert at(body["to"]) == end
        assert counts(body["total"]) == ("all", 7, 5, 2, 1, 2, 1)
        assert body["total"]["mean_seconds_to_settlement"] == pytest.approx(fmean(settlements), abs=1e-3)
        assert [counts(r) for r in body["by_status"]] == [
            ("reported", 1, 1, 0, 0, 0, 0),
            ("reshoot_requested", 1, 1, 0, 0, 0, 1),
            ("escalated_on_site", 2, 0, 2, 0, 0, 0),
            ("paid", 1, 1, 0, 0, 1, 0),
            ("closed", 1, 1, 0, 0, 1, 0),
            ("withdrawn", 1, 1, 0, 1, 0, 0),
        ]
        assert [counts(r) for r in body["by_route"]] == [
            ("self_service", 5, 5, 0, 1, 2, 1),
            ("on_site", 2, 0, 2, 0, 0, 0),
        ]
        assert body["by_route"][1]["mean_seconds_to_settlement"] is None
        assert [counts(r) for r in body["by_on_site_reason"]] == [
            ("injury_or_death", 2, 0, 2, 0, 0, 0),
            ("not_drivable", 1, 0, 1, 0, 0, 0),
        ]
        assert body["by"] == "day"
        days = [start.astimezone(FUZHOU).date(), end.astimezone(FUZHOU).date()]
        assert [r["key"] for r in body["by_period"]] == sorted({d.isoformat() for d in days})
        reported_days = [
            at((await client.get(f"/api/v1/claims/{c['id']}", headers=ops)).json()["reported_at"])
            .astimezone(FUZHOU)
            .date()
            .isoformat()
            for c in everyone
        ]
        assert [(r["key"], r["reported"]) for r in body["by_period"]] == [
            (day, reported_days.count(day)) for day in sorted({d.isoformat() for d in days})
        ]
        assert sum(r["settled"] for r in body["by_period"]) == 2

    async def test_as_csv_the_same_rows_each_led_by_its_group(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        ops = arrange.staff(Role.OPS)
        start = datetime.now(UTC)
        await arrange.claim(uuid.uuid4())
        await arrange.claim(uuid.uuid4(), estimated_loss_fen=2_000_000)
        end = datetime.now(UTC) + timedelta(microseconds=1)
        query = {"from": start.isoformat(), "to": end.isoformat(), "by": "month"}

        body = await figures(client, ops, **query)
        response = await client.get(URL, params={**query, "format": "csv"}, headers=ops)

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        local = start.astimezone(FUZHOU).date().isoformat()
        last = (end - timedelta(microseconds=1)).astimezone(FUZHOU).date().isoformat()
        assert response.headers["content-disposition"] == (
            f'attachment; filename="claim-figures_{local}_{last}.csv"'
        )
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert list(rows[0]) == ["group", *Figures.model_fields]
        assert [(r["group"], r["key"]) for r in rows] == [
            ("total", "all"),
            ("status", "reported"),
            ("status", "escalated_on_site"),
            ("route", "self_service"),
            ("route", "on_site"),
            ("on_site_reason", "over_fast_claim_limit"),
            *(("month", r["key"]) for r in body["by_period"]),
        ]
        assert rows[0] == {
            "group": "total",
            "key": "all",
            "reported": "2",
            "self_service": "1",
            "on_site": "1",
            "withdrawn": "0",
            "settled": "0",
            "photos_reshot": "0",
            "mean_seconds_to_settlement": "",
        }
        assert {r["key"][-2:] for r in rows if r["group"] == "month"} == {"01"}

    @pytest.mark.parametrize(
        "query",
        [
            {"from": "2026-11-25", "to": "2026-11-01"},
            {"from": "2026-11-25T10:00:00+08:00", "to": "2026-11-25T10:00:00+08:00"},
            {"from": "2026-11-25T10:00:00Z", "to": "2026-11-25T17:59:59+08:00"},
            {"from": "2020-01-01", "to": "2026-11-25"},
            {"to": "2014-12-31T00:00:00Z", "from": "2015-01-01"},
        ],
        ids=["inverted-days", "empty", "inverted-instants", "too-long", "inverted-mixed"],
    )
    async def test_a_period_that_is_not_one_is_422_naming_from(
        self, client: httpx.AsyncClient, arrange: Arrange, query: dict[str, str]
    ) -> None:
        response = await client.get(URL, params=query, headers=arrange.staff(Role.OPS))

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/invalid-period")
        assert response.json()["field"] == "from"

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("from", "2026-11-25T10:00:00"),
            ("to", "25/11/2026"),
            ("from", "1700000000"),
            ("to", "9999-12-31"),
            ("from", "0001-01-01T00:00:00+14:00"),
            ("by", "week"),
        ],
        ids=["no-offset", "not-a-date", "epoch", "year-9999", "year-1", "unknown-grouping"],
    )
    async def test_a_bound_that_is_no_day_or_instant_is_422(
        self, client: httpx.AsyncClient, arrange: Arrange, name: str, value: str
    ) -> None:
        response = await client.get(URL, params={name: value}, headers=arrange.staff(Role.OPS))

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == f"query.{name}"

    @pytest.mark.parametrize("role", [Role.MEMBER, Role.SURVEYOR, Role.MANAGER, Role.REVIEWER, Role.MERCHANT])
    async def test_only_ops_admin_and_services_read_the_figures(
        self, client: httpx.AsyncClient, arrange: Arrange, identities: Identities, role: Role
    ) -> None:
        for fmt in ("json", "csv"):
            response = await client.get(
                URL,
                params={"format": fmt},
                headers=identities.headers("claims-svc", role, staff_id="someone", member_id=uuid.uuid4()),
            )

            assert response.status_code == 403
            assert response.headers["content-type"] == "application/problem+json"
        for allowed in (arrange.staff(Role.ADMIN, "admin"), identities.headers("claims-svc", Role.SERVICE)):
            assert (await client.get(URL, headers=allowed)).status_code == 200

    async def test_the_gateway_is_told_only_ops_and_admin_may_call_it(
        self, client: httpx.AsyncClient
    ) -> None:
        document = (await client.get("/openapi.json")).json()

        assert document["paths"][URL]["get"]["x-cheyou-roles"] == ["ops", "admin"]


ReportAt = Callable[..., Awaitable[Claim]]
"""``await report(reported_at, **report_body_overrides)``: a claim the service took at that time."""


class TestFigures:
    """Periods and local days, with claims reported in 2024 (the service takes the report time)."""

    @pytest.fixture
    async def report(self, session: AsyncSession, arrange: Arrange, service_settings: Settings) -> ReportAt:
        async def report(reported_at: datetime, **details: Any) -> Claim:
            member = uuid.uuid4()
            vehicle = await arrange.vehicle(
                starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31), held_by=member
            )
            body = arrange.report_body(
                vehicle, loss_at=(reported_at - timedelta(hours=1)).isoformat(), **details
            )
            return await flows.report(
                session,
                member_id=member,
                data=ClaimCreate.model_validate(body),
                settings=service_settings,
                now=reported_at,
            )

        return report

    async def test_local_days_and_months_count_by_beijing_time(
        self, session: AsyncSession, report: ReportAt
    ) -> None:
        await report(datetime(2024, 3, 31, 15, 59, 59, tzinfo=UTC))  # 23:59:59 on 31 March in Fuzhou
        await report(datetime(2024, 3, 31, 16, 0, tzinfo=UTC))  # midnight, 1 April
        april = await report(datetime(2024, 4, 15, 4, 0, tzinfo=UTC))
        await flows.withdraw(session, april, "车已修好", now=datetime(2024, 4, 16, tzinfo=UTC))
        await report(datetime(2024, 5, 31, 15, 0, tzinfo=UTC), injury_or_death=True)
        await report(datetime(2024, 5, 31, 16, 0, tzinfo=UTC))  # 1 June: after the period
        now = datetime(2024, 7, 1, tzinfo=UTC)

        months = await service.figures(
            session, date(2024, 3, 1), date(2024, 5, 31), by="month", timezone="Asia/Shanghai", now=now
        )
        days = await service.figures(
            session, date(2024, 3, 31), date(2024, 4, 1), by="day", timezone="Asia/Shanghai", now=now
        )

        assert (months.total.reported, months.total.withdrawn, months.total.on_site) == (4, 1, 1)
        assert [(p.key, p.reported, p.withdrawn, p.on_site) for p in months.by_period or []] == [
            ("2024-03-01", 1, 0, 0),
            ("2024-04-01", 2, 1, 0),
            ("2024-05-01", 1, 0, 1),
        ]
        assert months.since == datetime(2024, 3, 1, tzinfo=FUZHOU)
        assert months.until == datetime(2024, 6, 1, tzinfo=FUZHOU)
        assert [(p.key, p.reported) for p in days.by_period or []] == [("2024-03-31", 1), ("2024-04-01", 1)]

    async def test_an_instant_bound_includes_from_and_excludes_to(
        self, session: AsyncSession, report: ReportAt
    ) -> None:
        first = datetime(2024, 8, 1, 2, 0, tzinfo=UTC)
        await report(first)
        await report(first + timedelta(hours=1))
        await report(first + timedelta(hours=2))

        window = await service.figures(
            session,
            first,
            first + timedelta(hours=2),
            by=None,
            timezone="Asia/Shanghai",
            now=datetime(2024, 9, 1, tzinfo=UTC),
        )

        assert window.total.reported == 2
        assert window.by_period is None

    async def test_days_without_claims_are_rows_of_zeros(
        self, session: AsyncSession, report: ReportAt
    ) -> None:
        await report(datetime(2024, 9, 2, 1, 0, tzinfo=UTC))

        window = await service.figures(
            session,
            date(2024, 9, 1),
            date(2024, 9, 3),
            by="day",
            timezone="Asia/Shanghai",
            now=datetime(2024, 10, 1, tzinfo=UTC),
        )

        assert [(p.key, p.reported) for p in window.by_period or []] == [
            ("2024-09-01", 0),
            ("2024-09-02", 1),
            ("2024-09-03", 0),
        ]
        assert window.by_route[1].key == "on_site"
        assert window.by_route[1].reported == 0

    def test_the_default_period_is_a_year_of_whole_months_up_to_today(self) -> None:
        now = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 01:00 on 26 November in Fuzhou

        start, end = service.period(None, None, timezone="Asia/Shanghai", now=now)

        assert (start, end) == (datetime(2025, 12, 1, tzinfo=FUZHOU), datetime(2026, 11, 27, tzinfo=FUZHOU))
