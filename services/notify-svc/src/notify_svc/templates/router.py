from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery
from fastapi import APIRouter, Query

from notify_svc.auth import OpsDep
from notify_svc.config import SettingsDep
from notify_svc.templates import service
from notify_svc.templates.errors import SelfApproval
from notify_svc.templates.schemas import (
    TemplateCreate,
    TemplatePage,
    TemplatePreview,
    TemplatePreviewRead,
    TemplateRead,
)

router = APIRouter(prefix="/templates", tags=["templates"])


@router.post("", response_model=TemplateRead, status_code=201)
async def create_template(data: TemplateCreate, session: SessionDep, principal: OpsDep) -> TemplateRead:
    """Author a new version of a template (a draft until approved)."""
    template = await service.create(session, data, principal.subject, datetime.now(UTC))
    return TemplateRead.model_validate(template)


@router.get("", response_model=TemplatePage)
async def list_templates(
    session: SessionDep,
    _: OpsDep,
    code: str | None = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TemplatePage:
    """Templates by code, channel and version."""
    return (await service.page(session, code, cursor, limit)).page(TemplateRead.model_validate)


@router.get("/{template_id}", response_model=TemplateRead)
async def get_template(template_id: uuid.UUID, session: SessionDep, _: OpsDep) -> TemplateRead:
    """One template version."""
    return TemplateRead.model_validate(await service.get(session, template_id))


@router.post("/{template_id}/approve", response_model=TemplateRead)
async def approve_template(
    template_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: OpsDep
) -> TemplateRead:
    """Approve a template version for use (by someone other than its author)."""
    template = await service.get(session, template_id)
    if template.status != "approved" and template.created_by == principal.subject:
        raise SelfApproval("a template is approved by someone other than its author")
    return TemplateRead.model_validate(
        await service.approve(
            session, template_id, principal.subject, datetime.now(UTC), settings.approved_templates
        )
    )


@router.post("/{template_id}/preview", response_model=TemplatePreviewRead)
async def preview_template(
    template_id: uuid.UUID, data: TemplatePreview, session: SessionDep, settings: SettingsDep, _: OpsDep
) -> TemplatePreviewRead:
    """Render a template with sample values, as the member would receive it."""
    template = await service.get(session, template_id)
    payload = service.preview(template, data.variables, settings.public_base_url)
    return TemplatePreviewRead(channel=template.channel, payload=payload)
