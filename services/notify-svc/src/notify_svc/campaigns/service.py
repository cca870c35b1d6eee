"""Campaigns (segmented push): audience preview, confirmation of empty or unbounded audiences,
throttled expansion in keyset chunks, pause / resume, progress and results."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.campaigns import repository
from notify_svc.campaigns.errors import (
    AudienceNeedsConfirmation,
    CampaignNotFound,
    CampaignStateConflict,
    TemplateNotApproved,
)
from notify_svc.campaigns.models import Campaign
from notify_svc.campaigns.schemas import CampaignCreate, Segment
from notify_svc.config import Settings
from notify_svc.delivery import metrics
from notify_svc.delivery import service as delivery
from notify_svc.inbox import service as inbox
from notify_svc.preferences import service as preferences
from notify_svc.templates import service as templates


async def preview(session: AsyncSession, segment: Segment) -> int:
    return await repository.audience_size(session, segment)


async def create(
    session: AsyncSession, settings: Settings, data: CampaignCreate, author: str, now: datetime
) -> Campaign:
    approved = await templates.approved(session, data.template_code, settings.approved_templates)
    if not any(channel in approved for channel in data.channels):
        raise TemplateNotApproved(
            f"no approved template '{data.template_code}' for {data.channels}", field="template_code"
        )
    # unknown or mistyped variables → 422 now
    delivery.render(approved, data.variables, data.channels, settings.public_base_url)
    size = await repository.audience_size(session, data.segment)
    if data.segment.unbounded and not data.confirm_unbounded:
        raise AudienceNeedsConfirmation(
            f"the segment names no criterion: every member ({size}) would be messaged",
            field="confirm_unbounded",
            size=size,
        )
    if size == 0 and not data.confirm_empty:
        raise AudienceNeedsConfirmation("the segment matches no member", field="confirm_empty", size=0)
    return await repository.add(
        session,
        Campaign(
            id=uuid.uuid4(),
            name=data.name,
            template_code=data.template_code,
            variables=data.variables,
            channels=list(data.channels),
            segment=data.segment.model_dump(mode="json"),
            throttle_per_second=data.throttle_per_second,
            status="scheduled",
            scheduled_at=data.scheduled_at or now,
            audience_size=size,
            targeted=0,
            opted_out=0,
            unreachable=0,
            created_by=author,
            created_at=now,
        ),
    )


async def get(session: AsyncSession, campaign_id: uuid.UUID, lock: bool = False) -> Campaign:
    campaign = await repository.get(session, campaign_id, lock)
    if campaign is None:
        raise CampaignNotFound(f"campaign {campaign_id} does not exist")
    return campaign


async def progress(session: AsyncSession, campaign: Campaign) -> dict[str, int]:
    """Targeted, opted out, unreachable, and the queued messages by status."""
    return _progress(campaign, await repository.message_counts(session, campaign.id))


async def page(
    session: AsyncSession, cursor: str | None, limit: int
) -> tuple[Slice[Campaign], dict[uuid.UUID, dict[str, int]]]:
    """A page of campaigns, newest first, with each one's progress (as ``progress`` answers it)."""
    found = await repository.page(session, cursor, limit)
    counts = await repository.message_counts_of(session, [c.id for c in found.rows])
    return found, {c.id: _progress(c, counts[c.id]) for c in found.rows}


def _progress(campaign: Campaign, counts: dict[str, int]) -> dict[str, int]:
    return {
        "audience": campaign.audience_size,
        "targeted": campaign.targeted,
        "opted_out": campaign.opted_out,
        "unreachable": campaign.unreachable,
        "queued": sum(counts.get(s, 0) for s in ("pending", "sending", "unknown")),
        "sent": counts.get("sent", 0) + counts.get("delivered", 0),
        "delivered": counts.get("delivered", 0),
        "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0),
    }


async def pause(session: AsyncSession, campaign_id: uuid.UUID) -> Campaign:
    campaign = await get(session, campaign_id, lock=True)
    if campaign.status == "paused":
        return campaign
    if campaign.status not in ("scheduled", "running"):
        raise CampaignStateConflict(f"a {campaign.status} campaign cannot be paused")
    campaign.status = "paused"
    await session.flush()
    return campaign


async def resume(session: AsyncSession, campaign_id: uuid.UUID) -> Campaign:
    campaign = await get(session, campaign_id, lock=True)
    if campaign.status in ("scheduled", "running"):
        return campaign
    if campaign.status != "paused":
        raise CampaignStateConflict(f"a {campaign.status} campaign cannot be resumed")
    campaign.status = "running" if campaign.started_at else "scheduled"
    await session.flush()
    return campaign


async def advance(
    session: AsyncSession, settings: Settings, campaign: Campaign, chunk: int, now: datetime
) -> int:
    """Queue the next ``chunk`` members of a (locked) campaign; completes it after the last member."""
    segment = Segment.model_validate(campaign.segment)
    recipients = await repository.audience_chunk(session, segment, campaign.cursor, chunk)
    approved = await templates.approved(session, campaign.template_code, settings.approved_templates)
    rendered = delivery.render(approved, campaign.variables, campaign.channels, settings.public_base_url)
    rules = settings.delivery_rules
    disabled = await preferences.disabled_by_member(
        session, [r.member_id for r in recipients], rendered.category
    )
    inbox_rows: list[dict[str, Any]] = []
    message_rows: list[dict[str, Any]] = []
    fact_id = campaign.fact_key or f"campaign:{campaign.id}"
    for recipient in recipients:
        outcome, inbox_row, message_row = delivery.plan(
            recipient.member_id,
            recipient,
            rendered,
            campaign.channels,
            disabled.get(recipient.member_id, set()),
            fact_id,
            campaign.template_code,
            now,
            rules,
            campaign.id,
        )
        if outcome == "opted_out":
            campaign.opted_out += 1
        elif outcome == "unreachable":
            campaign.unreachable += 1
        else:
            campaign.targeted += 1
        if inbox_row is not None:
            inbox_rows.append(inbox_row)
        if message_row is not None:
            message_rows.append(message_row)
    metrics.count("inbox", "sent", await inbox.add_items(session, inbox_rows))
    await delivery.add_messages(session, message_rows)
    if campaign.started_at is None:
        campaign.started_at, campaign.status = now, "running"
    if recipients:
        campaign.cursor = recipients[-1].member_id
    if len(recipients) < chunk:
        campaign.status, campaign.completed_at = "completed", now
    await session.flush()
    return len(recipients)
