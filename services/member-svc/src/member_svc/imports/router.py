from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from cheyou_kit.db import SessionDep
from cheyou_kit.identity import Principal, Role, require_roles
from fastapi import APIRouter, Depends, Request, Response

from member_svc.dependencies import PiiDep
from member_svc.imports import service
from member_svc.imports.schemas import ImportRead
from member_svc.principals import actor_id

router = APIRouter(prefix="/members/imports", tags=["members"])

OpsDep = Annotated[Principal, Depends(require_roles(Role.OPS, Role.ADMIN))]


@router.post(
    "",
    response_model=ImportRead,
    status_code=201,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_invitations(
    request: Request,
    session: SessionDep,
    pii: PiiDep,
    principal: OpsDep,
    filename: str = "invitations.csv",
    format: Literal["json", "csv"] = "json",
) -> ImportRead | Response:
    """Import an invitation list (CSV body); the answer is the per-row report (JSON or CSV)."""
    record = await service.import_csv(
        session, pii, await request.body(), filename, actor_id(principal), datetime.now(UTC)
    )
    if format == "csv":
        return Response(service.report_csv(record), media_type="text/csv", status_code=201)
    return ImportRead.model_validate(record)
