from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from cheyou_kit.errors import BadRequest
from cheyou_kit.identity import Role
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AwareDatetime

from gateway.auth.authentication import Caller, require_roles
from gateway.reports import render, service
from gateway.reports.schemas import ClubReport
from gateway.runtime import runtime_of

router = APIRouter(prefix="/reports", tags=["reports"])

MAX_PERIOD = timedelta(days=1098)
"""Three years (with a leap day): what every source accepts (claims-svc's figures refuse longer)."""
FIRST_YEAR, LAST_YEAR = 1970, 2999
OpsDep = Annotated[Caller, Depends(require_roles(Role.OPS, Role.ADMIN))]
CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        }
    }
}


@router.get("/club", response_model=ClubReport, responses=CONTENT)
async def club(
    request: Request,
    caller: OpsDep,
    since: Annotated[AwareDatetime, Query(alias="from", description="Start of the period (included).")],
    until: Annotated[AwareDatetime, Query(alias="to", description="End of the period (excluded).")],
    format: Annotated[
        Literal["json", "csv", "svg"], Query(description="csv: the rows; svg: a bar chart.")
    ] = "json",
) -> Any:
    """The branch's two tables from live data: verified members by tier, and value-added services used in
    the period (privilege orders by kind, online fast claims, points redemptions), with activity
    participations. Ops and admin only; every figure comes from the service that owns it."""
    if until <= since:
        raise BadRequest("to: must be after from", field="to")
    if until - since > MAX_PERIOD or since.year < FIRST_YEAR or until.year > LAST_YEAR:
        raise BadRequest(
            f"from, to: a period of at most {MAX_PERIOD.days} days between {FIRST_YEAR} and {LAST_YEAR}",
            field="from",
        )
    report = await service.club_report(runtime_of(request), caller.principal, since, until, datetime.now(UTC))
    if format == "csv":
        return Response(
            render.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="club-report.csv"'},
        )
    if format == "svg":
        return Response(render.to_svg(report), media_type="image/svg+xml")
    return report
