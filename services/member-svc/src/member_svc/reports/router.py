"""``/member-reports``: JSON by default, CSV with ``?format=csv`` (a download link works in a browser)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from member_svc import china_time
from member_svc.auth import OpsDep
from member_svc.reports import service
from member_svc.reports.schemas import (
    InvitationsBy,
    InvitationsReport,
    JoinsReport,
    MembersReport,
    Period,
    ThroughputReport,
)

router = APIRouter(prefix="/member-reports", tags=["reports"])

Format = Annotated[
    Literal["json", "csv"], Query(description="csv: the table as text/csv (rows, then total).")
]
Since = Annotated[date | None, Query(alias="from")]
Until = Annotated[date | None, Query(alias="to")]
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


def _now() -> datetime:
    return datetime.now(UTC)


def _shaped(report: BaseModel, rows: list[Any], total: BaseModel, format: str, name: str) -> Any:
    if format == "csv":
        return Response(
            service.to_csv(rows, total),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return report


@router.get("/members", response_model=MembersReport, responses=CSV)
async def members(session: SessionDep, _: OpsDep, format: Format = "json") -> Any:
    """Members by tier and status, as of now."""
    report = await service.members_by_tier_and_status(session, _now())
    return _shaped(report, list(report.rows), report.total, format, "members-by-tier-and-status")


@router.get("/joins", response_model=JoinsReport, responses=CSV, response_model_by_alias=True)
async def joins(
    session: SessionDep,
    _: OpsDep,
    period: Period = "month",
    since: Since = None,
    until: Until = None,
    format: Format = "json",
) -> Any:
    """Registrations by join route per day, week or month (default: this month and the 11 before)."""
    today = china_time.today()
    months = today.year * 12 + today.month - 1 - 11
    start = since or date(months // 12, months % 12 + 1, 1)
    report = await service.joins_by_route(session, period, start, until or today)
    return _shaped(report, list(report.rows), report.total, format, "joins-by-route")


@router.get("/verification", response_model=ThroughputReport, responses=CSV, response_model_by_alias=True)
async def verification(
    session: SessionDep, _: OpsDep, since: Since = None, until: Until = None, format: Format = "json"
) -> Any:
    """Callbacks, approvals and rejections per reviewer per day; the total adds the queue now
    (default: the last 30 days)."""
    today = china_time.today()
    report = await service.verification_throughput(
        session, since or today - timedelta(days=30), until or today, _now()
    )
    return _shaped(report, list(report.rows), report.total, format, "verification-throughput")


@router.get("/invitations", response_model=InvitationsReport, responses=CSV, response_model_by_alias=True)
async def invitations(
    session: SessionDep,
    _: OpsDep,
    by: InvitationsBy = "list",
    since: Since = None,
    until: Until = None,
    format: Format = "json",
) -> Any:
    """Invitation outreach and its conversion per imported list or per inviting manager: invited,
    opened the link, applied, verified, opted out (default: invitations of the last 90 days)."""
    today = china_time.today()
    report = await service.invitations(session, by, since or today - timedelta(days=90), until or today)
    return _shaped(report, list(report.rows), report.total, format, f"invitations-by-{by}")
