"""Central publishing (统一消息发布): ops author, a second person approves, ops publish to channels and to
customer managers; managers share only published items, only with their own customers.

The member → manager relation is notify-svc's audience projection (``member.manager_assigned`` and
``member.profile_changed``). A member gets a publication once, whether from a campaign, from their manager
or both: every copy is the fact ``publication:{id}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cheyou_kit.auth import Principal, Role
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.campaigns import service as campaigns
from notify_svc.campaigns.schemas import CampaignCreate
from notify_svc.config import Settings
from notify_svc.delivery import service as delivery
from notify_svc.delivery.service import Notice
from notify_svc.publishing import repository
from notify_svc.publishing.errors import (
    NotYourCustomer,
    PublicationNotFound,
    PublicationStateConflict,
    SegmentRequired,
    SelfApproval,
)
from notify_svc.publishing.models import Publication, Share
from notify_svc.publishing.schemas import ArticleCreate, MessageCreate, PublishRequest, ShareResult

EDITORS = frozenset({Role.OPS, Role.ADMIN})
# Underwriting and claims news is information members need (service: no opt-out, no quiet hours);
# value-added news and articles are promotion (marketing: opt-out, held in quiet hours).
SERVICE_CATEGORIES = frozenset({"underwriting", "claims"})


def template_for(publication: Publication) -> str:
    if publication.kind == "message" and publication.category in SERVICE_CATEGORIES:
        return "publication"
    return "publication_marketing"


def fact_of(publication: Publication) -> str:
    return f"publication:{publication.id}"


def visible_statuses(principal: Principal) -> Sequence[str] | None:
    """Editors see every state; everyone else only what is published."""
    return None if principal.role in EDITORS else ("published",)


async def create(
    session: AsyncSession, kind: str, data: MessageCreate | ArticleCreate, author: str, now: datetime
) -> Publication:
    return await repository.add(
        session,
        Publication(
            id=uuid.uuid4(),
            kind=kind,
            status="draft",
            channels=[],
            created_by=author,
            created_at=now,
            **data.model_dump(),
        ),
    )


async def get(
    session: AsyncSession, kind: str, publication_id: uuid.UUID, principal: Principal, lock: bool = False
) -> Publication:
    """The publication if the caller may see it; 404 otherwise (unpublished ones are not probed)."""
    publication = await repository.get(session, publication_id, lock)
    statuses = visible_statuses(principal)
    if (
        publication is None
        or publication.kind != kind
        or (statuses is not None and publication.status not in statuses)
    ):
        raise PublicationNotFound(f"{kind} {publication_id} does not exist")
    return publication


async def page(
    session: AsyncSession,
    kind: str,
    principal: Principal,
    status: str | None,
    category: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Publication]:
    allowed = visible_statuses(principal)
    statuses = [status] if status else allowed
    if allowed is not None and status is not None and status not in allowed:
        return Slice(rows=[], next_cursor=None)
    return await repository.page(session, kind, statuses, category, cursor, limit)


async def approve(
    session: AsyncSession, kind: str, publication_id: uuid.UUID, principal: Principal, now: datetime
) -> Publication:
    publication = await get(session, kind, publication_id, principal, lock=True)
    approver = principal.actor_id
    if publication.status in ("approved", "published"):
        return publication
    if publication.status != "draft":
        raise PublicationStateConflict(f"a {publication.status} {kind} cannot be approved")
    if publication.created_by in (approver, principal.subject):
        raise SelfApproval(f"{approver} wrote this {kind}; someone else approves it")
    publication.status, publication.approved_by, publication.approved_at = "approved", approver, now
    await session.flush()
    return publication


async def publish(
    session: AsyncSession,
    settings: Settings,
    kind: str,
    publication_id: uuid.UUID,
    data: PublishRequest,
    principal: Principal,
    now: datetime,
) -> Publication:
    """Make an approved item visible to managers (and members), and push it on ``channels`` if asked."""
    publication = await get(session, kind, publication_id, principal, lock=True)
    if publication.status == "published":
        return publication
    if publication.status != "approved":
        raise PublicationStateConflict(
            f"only an approved {kind} is published (this one is {publication.status})"
        )
    if data.channels:
        if data.segment is None:
            raise SegmentRequired("name the members to push to (segment)", field="segment")
        campaign = await campaigns.create(
            session,
            settings,
            CampaignCreate(
                name=f"发布：{publication.title}"[:128],
                template_code=template_for(publication),
                variables={"title": publication.title, "summary": publication.summary},
                channels=data.channels,
                segment=data.segment,
                throttle_per_second=data.throttle_per_second,
                confirm_unbounded=data.confirm_unbounded,
                confirm_empty=data.confirm_empty,
            ),
            principal.actor_id,
            now,
        )
        campaign.fact_key = fact_of(publication)
        publication.campaign_id = campaign.id
    publication.status, publication.channels = "published", list(data.channels)
    publication.published_by, publication.published_at = principal.actor_id, now
    await session.flush()
    return publication


async def withdraw(
    session: AsyncSession, kind: str, publication_id: uuid.UUID, principal: Principal, now: datetime
) -> Publication:
    """No longer shown or shareable; a push still running stops."""
    publication = await get(session, kind, publication_id, principal, lock=True)
    if publication.status == "withdrawn":
        return publication
    if publication.campaign_id is not None:
        campaign = await campaigns.get(session, publication.campaign_id, lock=True)
        if campaign.status in ("scheduled", "running"):
            await campaigns.pause(session, campaign.id)
    publication.status, publication.withdrawn_at = "withdrawn", now
    await session.flush()
    return publication


async def share(
    session: AsyncSession,
    settings: Settings,
    kind: str,
    publication_id: uuid.UUID,
    member_ids: Sequence[str],
    principal: Principal,
    now: datetime,
) -> ShareResult:
    """A manager shares a published item with their own customers (all or nothing)."""
    publication = await get(session, kind, publication_id, principal)
    if publication.status != "published":
        raise PublicationNotFound(f"{kind} {publication_id} does not exist")
    manager = principal.actor_id
    wanted = list(dict.fromkeys(member_ids))
    managers = await repository.managers_of(session, wanted)
    foreign = [m for m in wanted if managers.get(m) != manager]
    if foreign:
        raise NotYourCustomer(
            f"{len(foreign)} of the members are not your customers: {', '.join(foreign[:5])}",
            field="member_ids",
        )
    shared = await repository.add_shares(session, publication.id, manager, wanted, now)
    notices = [
        Notice(
            member_id=member_id,
            template_code=template_for(publication),
            fact_id=fact_of(publication),
            variables={"title": publication.title, "summary": publication.summary},
        )
        for member_id in shared
    ]
    await delivery.notify_many(session, notices, now, settings)
    return ShareResult(shared=shared, already_shared=[m for m in wanted if m not in set(shared)])


async def shares(
    session: AsyncSession, kind: str, publication_id: uuid.UUID, principal: Principal
) -> Sequence[Share]:
    """Editors see every share; a manager sees their own."""
    publication = await get(session, kind, publication_id, principal)
    manager = None if principal.role in EDITORS else principal.actor_id
    return await repository.shares(session, publication.id, manager)
