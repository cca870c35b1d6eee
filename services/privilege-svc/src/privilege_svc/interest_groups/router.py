from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, File, Form, Response, UploadFile, status
from pydantic import AwareDatetime

from privilege_svc.auth import Operator, OperatorOnly, acting_member, member_or_staff_reader
from privilege_svc.interest_groups import service
from privilege_svc.interest_groups.schemas import (
    InterestGroupCreate,
    InterestGroupJoinRead,
    InterestGroupRead,
)

router = APIRouter(prefix="/interest-groups", tags=["interest-groups"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("", response_model=InterestGroupRead, status_code=status.HTTP_201_CREATED)
async def create_group(
    body: InterestGroupCreate, session: SessionDep, principal: Operator
) -> InterestGroupRead:
    """Ops: a group for members with one of these interests (upload its WeChat group QR next)."""
    return await service.create(session, body, created_by=principal.actor_id, now=_now())


@router.get("", response_model=Page[InterestGroupRead])
async def list_groups(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[InterestGroupRead]:
    """Staff: every group with its joins. A member: the active groups sharing one of their interests."""
    items, next_cursor = await service.page(session, member_or_staff_reader(principal), cursor, limit, _now())
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{group_id}", response_model=InterestGroupRead)
async def get_group(group_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> InterestGroupRead:
    """One group (a member sees it when it shares one of their interests)."""
    return await service.get(session, group_id, member_or_staff_reader(principal), _now())


@router.put("/{group_id}/qr", response_model=InterestGroupRead)
async def replace_qr(
    group_id: uuid.UUID,
    session: SessionDep,
    principal: Operator,
    file: Annotated[UploadFile, File(description="The WeChat group QR: PNG or JPEG, at most 512 KiB.")],
    expires_at: Annotated[
        AwareDatetime | None, Form(description="When WeChat says it expires (≤ 7 days).")
    ] = None,
) -> InterestGroupRead:
    """Ops: upload or replace the group's QR (multipart: file, expires_at)."""
    data = await file.read(service.QR_MAX_BYTES + 1)
    return await service.replace_qr(session, group_id, data, expires_at, actor=principal.actor_id, now=_now())


@router.post("/{group_id}/archive", response_model=InterestGroupRead, dependencies=[OperatorOnly])
async def archive_group(group_id: uuid.UUID, session: SessionDep) -> InterestGroupRead:
    """Ops: members no longer see the group."""
    return await service.archive(session, group_id, _now())


@router.get(
    "/{group_id}/qr",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}, "description": "The group QR image."}},
)
async def group_qr(group_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """The group's QR image (a member: while it is valid; 410 once it expired)."""
    data, content_type = await service.qr(session, group_id, member_or_staff_reader(principal), _now())
    return Response(content=data, media_type=content_type, headers={"Cache-Control": "private, max-age=300"})


@router.post("/{group_id}/joins", response_model=InterestGroupJoinRead, status_code=status.HTTP_201_CREATED)
async def join_group(
    group_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> InterestGroupJoinRead:
    """The member opens the QR to join the WeChat group: counted once per member."""
    return await service.join(session, group_id, acting_member(principal), _now())
