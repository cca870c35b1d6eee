from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery
from fastapi import APIRouter, Query

from notify_svc.auth import check_member
from notify_svc.inbox import service
from notify_svc.inbox.schemas import InboxItemRead, InboxMark, InboxMarked, InboxPage, InboxView, UnreadCount

router = APIRouter(prefix="/inbox", tags=["inbox"])


@router.get("/{member_id}", response_model=InboxPage)
async def list_inbox(
    member_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    view: InboxView = "inbox",
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> InboxPage:
    """A member's inbox, newest first (``view``: inbox, unread or archived)."""
    check_member(principal, member_id)
    return (await service.page(session, member_id, view, cursor, limit)).page(InboxItemRead.model_validate)


@router.get("/{member_id}/unread-count", response_model=UnreadCount)
async def unread_count(member_id: str, session: SessionDep, principal: PrincipalDep) -> UnreadCount:
    """How many inbox items the member has not read (for the gateway's badge)."""
    check_member(principal, member_id)
    return UnreadCount(unread=await service.unread_count(session, member_id))


@router.post("/{member_id}/{action}", response_model=InboxMarked)
async def mark_items(
    member_id: str,
    action: Literal["read", "seen", "archive"],
    data: InboxMark,
    session: SessionDep,
    principal: PrincipalDep,
) -> InboxMarked:
    """Mark items read, seen or archived (``all: true`` for every item); safe to repeat."""
    check_member(principal, member_id, write=True)
    item_ids = None if data.all else data.item_ids
    updated = await service.mark(session, member_id, action, item_ids, datetime.now(UTC))
    return InboxMarked(updated=updated, unread=await service.unread_count(session, member_id))
