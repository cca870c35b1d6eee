"""``/claim-reports``: JSON by default, CSV with ``?format=csv`` (a download link works in a browser)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Query, Response

from claims_svc.auth import FIGURES_AT_THE_GATEWAY, FiguresReaderDep
from claims_svc.config import SettingsDep
from claims_svc.reports import service
from claims_svc.reports.schemas import ClaimFigures, Grouping, PeriodBound

router = APIRouter(prefix="/claim-reports", tags=["reports"])

CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
# the gateway enforces this too (it lets the platform's own services through in any case)


@router.get(
    "/figures",
    response_model=ClaimFigures,
    response_model_by_alias=True,
    responses=CSV,
    openapi_extra=FIGURES_AT_THE_GATEWAY,
)
async def figures(
    session: SessionDep,
    _: FiguresReaderDep,
    settings: SettingsDep,
    since: Annotated[
        PeriodBound | None,
        Query(alias="from", description="A local day (included) or a date-time with offset (included)."),
    ] = None,
    until: Annotated[
        PeriodBound | None,
        Query(alias="to", description="A local day (included) or a date-time with offset (excluded)."),
    ] = None,
    by: Annotated[Grouping | None, Query(description="Also break the figures down by day or month.")] = None,
    format: Annotated[
        Literal["json", "csv"], Query(description="csv: the same rows as text/csv, each led by its group.")
    ] = "json",
) -> Any:
    """Claims reported in a period (default: the last 12 months): total, withdrawn, settled, photos
    re-shot, time to settlement; by status, route (self-service or on site) and on-site reason."""
    report = await service.figures(
        session, since, until, by=by, timezone=settings.timezone, now=datetime.now(UTC)
    )
    if format == "csv":
        return Response(
            service.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{service.csv_name(report)}"'},
        )
    return report
