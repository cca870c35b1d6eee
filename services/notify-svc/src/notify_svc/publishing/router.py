"""``/publications`` (centrally published messages) and ``/articles`` (insurance knowledge): the same
author → approve → publish → share path, one router per kind."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from cheyou_kit.auth import Principal, Role, require_roles
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery
from fastapi import APIRouter, Depends, Query

from notify_svc.auth import ManagerDep, OpsDep, ShareViewerDep
from notify_svc.config import SettingsDep
from notify_svc.publishing import service
from notify_svc.publishing.schemas import (
    ArticleCategory,
    ArticleCreate,
    MessageCategory,
    MessageCreate,
    PublicationPage,
    PublicationRead,
    PublishRequest,
    ShareList,
    ShareRead,
    ShareRequest,
    ShareResult,
    Status,
)


def _router(
    prefix: str, kind: str, readers: tuple[Role, ...], create_schema: Any, category: Any
) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=[prefix.strip("/")])
    ReaderDep = Annotated[Principal, Depends(require_roles(*readers))]

    @router.post("", response_model=PublicationRead, status_code=201)
    async def create(data: create_schema, session: SessionDep, principal: OpsDep) -> PublicationRead:
        """Author a draft (approved later by someone else)."""
        item = await service.create(session, kind, data, principal.actor_id, datetime.now(UTC))
        return PublicationRead.model_validate(item)

    @router.get("", response_model=PublicationPage)
    async def list_items(
        session: SessionDep,
        principal: ReaderDep,
        status: Status | None = None,
        category: category | None = None,
        cursor: CursorQuery = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> PublicationPage:
        """Newest first; only published ones unless the caller edits them."""
        items = await service.page(session, kind, principal, status, category, cursor, limit)
        return items.page(PublicationRead.model_validate)

    @router.get("/{item_id}", response_model=PublicationRead)
    async def get_item(item_id: uuid.UUID, session: SessionDep, principal: ReaderDep) -> PublicationRead:
        """One item (unpublished ones only for editors)."""
        return PublicationRead.model_validate(await service.get(session, kind, item_id, principal))

    @router.post("/{item_id}/approve", response_model=PublicationRead)
    async def approve(item_id: uuid.UUID, session: SessionDep, principal: OpsDep) -> PublicationRead:
        """Approve a draft (not by its author); safe to repeat."""
        item = await service.approve(session, kind, item_id, principal, datetime.now(UTC))
        return PublicationRead.model_validate(item)

    @router.post("/{item_id}/publish", response_model=PublicationRead)
    async def publish(
        item_id: uuid.UUID,
        data: PublishRequest,
        session: SessionDep,
        settings: SettingsDep,
        principal: OpsDep,
    ) -> PublicationRead:
        """Publish an approved item to managers, and to members on the given channels; safe to repeat."""
        item = await service.publish(session, settings, kind, item_id, data, principal, datetime.now(UTC))
        return PublicationRead.model_validate(item)

    @router.post("/{item_id}/withdraw", response_model=PublicationRead)
    async def withdraw(item_id: uuid.UUID, session: SessionDep, principal: OpsDep) -> PublicationRead:
        """Stop showing and sharing an item (a push still running is paused)."""
        item = await service.withdraw(session, kind, item_id, principal, datetime.now(UTC))
        return PublicationRead.model_validate(item)

    @router.post("/{item_id}/shares", response_model=ShareResult)
    async def share(
        item_id: uuid.UUID,
        data: ShareRequest,
        session: SessionDep,
        settings: SettingsDep,
        principal: ManagerDep,
    ) -> ShareResult:
        """A manager shares a published item with their own customers (logged against the manager)."""
        now = datetime.now(UTC)
        return await service.share(session, settings, kind, item_id, data.member_ids, principal, now)

    @router.get("/{item_id}/shares", response_model=ShareList)
    async def list_shares(item_id: uuid.UUID, session: SessionDep, principal: ShareViewerDep) -> ShareList:
        """Who shared an item with whom: editors see all, a manager their own."""
        found = await service.shares(session, kind, item_id, principal)
        return ShareList(items=[ShareRead.model_validate(s) for s in found])

    return router


publications_router = _router(
    "/publications", "message", (Role.MANAGER, Role.OPS, Role.ADMIN), MessageCreate, MessageCategory
)
articles_router = _router(
    "/articles", "article", (Role.MEMBER, Role.MANAGER, Role.OPS, Role.ADMIN), ArticleCreate, ArticleCategory
)
