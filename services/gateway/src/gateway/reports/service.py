"""The club report, composed from the services' own report endpoints (read with the caller's identity, so
each service applies its own role check). Unlike the Me page, a report is all or nothing: a figure missing
from a table would be read as a zero, so a failing source fails the report (503, naming the service)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
from cheyou_kit.errors import ProblemError
from cheyou_kit.identity import Principal

from gateway.errors import ServiceUnavailable
from gateway.reports.errors import SourceRefused
from gateway.reports.schemas import ClubReport, Row, Table
from gateway.runtime import Runtime

TIERS = {
    "five_star": "五星会员",
    "four_star": "四星会员",
    "three_star": "三星会员",
    "ordinary": "普通会员",
    "prospective": "准客户",
}
SERVICES = {
    "annual_inspection_agency": "代办验车",
    "car_wash": "洗车服务",
    "fuel_discount": "加油优惠",
    "fast_claims": "快捷理赔服务",
    "after_drinking_driving": "星级会员酒后代驾",
    "points_redemptions": "积分兑换",
    "other_services": "其他增值服务",
}
NAMED_PRIVILEGES = ("annual_inspection_agency", "car_wash", "fuel_discount", "after_drinking_driving")
"""The privileges the branch's table names; every other completed order counts as "other services"."""

SOURCES = {
    "members": "member-svc GET /member-reports/members (verified members by tier, now)",
    "orders": "privilege-svc GET /privileges/usage (completed orders per privilege; points redemptions)",
    "fast_claims": "claims-svc GET /claim-reports/figures (claims reported and handled online)",
    "activity_participations": "privilege-svc GET /activities/stats (activities starting in the period)",
}


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    return (
        str(body.get("detail")) if isinstance(body, dict) and "detail" in body else str(response.status_code)
    )


async def club_report(
    runtime: Runtime, principal: Principal, since: datetime, until: datetime, now: datetime
) -> ClubReport:
    timeout = runtime.settings.report_part_timeout_seconds
    window = {"from": since.isoformat(), "to": until.isoformat()}

    async def get(service: str, path: str, params: dict[str, str] | None = None) -> Any:
        try:
            response = await runtime.upstreams[service].request(
                "GET", path, principal=principal, params=params, timeout_seconds=timeout
            )
        except ProblemError as exc:
            raise ServiceUnavailable(f"{service} could not be read for the report: {exc.detail}") from exc
        if 400 <= response.status_code < 500:
            raise SourceRefused(f"{service} refused its part: {_detail(response)}", source=service)
        if response.status_code != 200:
            raise ServiceUnavailable(f"{service} answered {response.status_code} for the report")
        return response.json()

    members, usage, claims, activities = await asyncio.gather(
        get("member-svc", "/api/v1/member-reports/members"),
        get("privilege-svc", "/api/v1/privileges/usage", window),
        get("claims-svc", "/api/v1/claim-reports/figures", window),
        get("privilege-svc", "/api/v1/activities/stats", window),
    )
    by_tier = dict.fromkeys(TIERS, 0)
    for row in members["rows"]:
        if row["status"] == "verified" and row["tier"] in by_tier:
            by_tier[row["tier"]] += int(row["members"])
    completed = {row["privilege_code"]: int(row["completed"]) for row in usage["privileges"]}
    named = {code: completed.get(code, 0) for code in NAMED_PRIVILEGES}
    used = {
        **named,
        "fast_claims": int(claims["total"]["self_service"]),
        "points_redemptions": int(usage["points_redemptions"]),
        "other_services": int(usage["orders_completed"]) - sum(named.values()),
    }
    return ClubReport(
        since=since,
        until=until,
        as_of=now,
        members=_table("会员", TIERS, by_tier),
        services=_table("可统计增值服务", SERVICES, used),
        activity_participations=int(activities["participations"]),
        sources=SOURCES,
    )


def _table(name: str, names: dict[str, str], counts: dict[str, int]) -> Table:
    rows = [Row(item=item, name=label, count=counts[item]) for item, label in names.items()]
    return Table(name=name, total=sum(r.count for r in rows), rows=rows)
