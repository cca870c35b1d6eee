"""The in-app inbox: read / seen / archived, unread counts, bulk mark-as-read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.inbox import repository
from notify_svc.inbox.models import InboxItem

MARKS = {"read": "read_at", "seen": "seen_at", "archive": "archived_at"}


async def page(
    session: AsyncSession, member_id: str, view: str, cursor: str | None, limit: int
) -> Slice[InboxItem]:
    return await repository.page(session, member_id, view, cursor, limit)


async def add_items(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Put items in members' inboxes; a fact already in a member's inbox is skipped. How many were new."""
    return await repository.add_items(session, rows)


async def unread_count(session: AsyncSession, member_id: str) -> int:
    return await repository.unread_count(session, member_id)


async def mark(
    session: AsyncSession, member_id: str, action: str, item_ids: Sequence[uuid.UUID] | None, now: datetime
) -> int:
    """Mark the member's items (all of them when ``item_ids`` is None); others' ids are ignored."""
    return await repository.mark(session, member_id, item_ids, MARKS[action], now)
