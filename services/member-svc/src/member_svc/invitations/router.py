from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Path, Request, Response

from member_svc.auth import OpsDep
from member_svc.config import SettingsDep
from member_svc.dependencies import PiiDep
from member_svc.invitations import service
from member_svc.invitations.schemas import ImportRead, InvitationView

router = APIRouter(prefix="/members/imports", tags=["members"])
invitations_router = APIRouter(prefix="/invitations", tags=["members"])


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
    settings: SettingsDep,
    principal: OpsDep,
    filename: str = "invitations.csv",
    format: Literal["json", "csv"] = "json",
) -> ImportRead | Response:
    """Import an invitation list (CSV body); the answer is the per-row report (JSON or CSV). Each new
    invitee with a consent basis is invited (SMS, WeChat where an openid is given) by notify-svc."""
    record = await service.import_csv(
        session,
        pii,
        await request.body(),
        filename,
        principal.actor_id,
        datetime.now(UTC),
        registration_url=settings.registration_url,
    )
    if format == "csv":
        return Response(service.report_csv(record), media_type="text/csv", status_code=201)
    return ImportRead.model_validate(record)


Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


@invitations_router.get("/{token}", response_model=InvitationView)
async def open_invitation(token: Token, session: SessionDep) -> InvitationView:
    """What a personal invitation link shows before sign-in (no credentials: the token is the key):
    the inviting manager, the invitee's masked name and whether it is still open. Opening is recorded."""
    return await service.open_invitation(session, token, datetime.now(UTC))
