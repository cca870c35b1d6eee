from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cheyou_kit.auth import Role
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter

from member_svc.auth import PolicyFeedDep, PolicyReaderDep, desk_of, may_read_policies
from member_svc.members import service as members_service
from member_svc.policies import service
from member_svc.policies.schemas import FeedAccepted, FeedBatch, PolicyRead

router = APIRouter(prefix="/policies", tags=["policies"])
feed_router = APIRouter(prefix="/policy-feed", tags=["policies"])


@router.get("", response_model=Page[PolicyRead])
async def list_policies(
    session: SessionDep,
    principal: PolicyReaderDep,
    member_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[PolicyRead]:
    """Policies: a member's own (once verified), a manager's customers', or (staff) one member's."""
    member_ids: list[uuid.UUID] | None = None
    manager_id = None
    if member_id is not None:
        member = await members_service.visible(session, principal, member_id)
        member_ids = [member_id] if may_read_policies(principal, member.status) else []
    elif principal.role == Role.MEMBER:
        own = await service.verified_member(session, principal)
        member_ids = [own] if own is not None else []
    else:
        manager_id = desk_of(principal, None)
    policies = await service.page_for_members(session, member_ids, manager_id, cursor, limit)
    return policies.page(PolicyRead.of)


@router.get("/{policy_no}", response_model=PolicyRead)
async def get_policy(policy_no: str, session: SessionDep, principal: PolicyReaderDep) -> PolicyRead:
    """One policy: the holder's own, the holder's manager's, or any for reviewers, ops and admin."""
    return PolicyRead.of(await service.get_visible(session, policy_no, principal))


@feed_router.post("", response_model=FeedAccepted, status_code=202)
async def ingest(batch: FeedBatch, session: SessionDep, _: PolicyFeedDep) -> FeedAccepted:
    """Accept core policy events over HTTP; they flow through Kafka like the core feed."""
    return FeedAccepted(accepted=await service.ingest(session, batch.events, datetime.now(UTC)))
