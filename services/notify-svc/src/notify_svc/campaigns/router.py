from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.auth import OpsDep
from notify_svc.campaigns import service
from notify_svc.campaigns.models import Campaign
from notify_svc.campaigns.schemas import (
    AudiencePreview,
    AudienceSize,
    CampaignCreate,
    CampaignPage,
    CampaignRead,
)
from notify_svc.config import SettingsDep

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


async def _read(session: AsyncSession, campaign: Campaign) -> CampaignRead:
    read = CampaignRead.model_validate(campaign)
    return read.model_copy(update={"progress": await service.progress(session, campaign)})


@router.post("/audience-preview", response_model=AudienceSize)
async def preview_audience(data: AudiencePreview, session: SessionDep, _: OpsDep) -> AudienceSize:
    """How many members a segment reaches."""
    size = await service.preview(session, data.segment)
    return AudienceSize(size=size, unbounded=data.segment.unbounded)


@router.post("", response_model=CampaignRead, status_code=201)
async def create_campaign(
    data: CampaignCreate, session: SessionDep, settings: SettingsDep, principal: OpsDep
) -> CampaignRead:
    """Schedule a campaign (an empty or unbounded audience needs confirming)."""
    campaign = await service.create(session, settings, data, principal.subject, datetime.now(UTC))
    return await _read(session, campaign)


@router.get("", response_model=CampaignPage)
async def list_campaigns(
    session: SessionDep, _: OpsDep, cursor: CursorQuery = None, limit: LimitQuery = 20
) -> CampaignPage:
    """Campaigns, newest first, each with its status and progress as one campaign's read gives them."""
    found, progress = await service.page(session, cursor, limit)
    return found.page(
        lambda c: CampaignRead.model_validate(c).model_copy(update={"progress": progress[c.id]})
    )


@router.get("/{campaign_id}", response_model=CampaignRead)
async def get_campaign(campaign_id: uuid.UUID, session: SessionDep, _: OpsDep) -> CampaignRead:
    """A campaign with its progress: targeted, sent, delivered, failed, opted out."""
    return await _read(session, await service.get(session, campaign_id))


@router.post("/{campaign_id}/pause", response_model=CampaignRead)
async def pause_campaign(campaign_id: uuid.UUID, session: SessionDep, _: OpsDep) -> CampaignRead:
    """Stop queuing further members (safe to repeat)."""
    return await _read(session, await service.pause(session, campaign_id))


@router.post("/{campaign_id}/resume", response_model=CampaignRead)
async def resume_campaign(campaign_id: uuid.UUID, session: SessionDep, _: OpsDep) -> CampaignRead:
    """Continue from where the campaign stopped (safe to repeat)."""
    return await _read(session, await service.resume(session, campaign_id))
