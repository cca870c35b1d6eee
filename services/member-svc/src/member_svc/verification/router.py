from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Query

from member_svc import china_time
from member_svc.auth import ApplicationReaderDep, ReviewerDep
from member_svc.config import SettingsDep
from member_svc.dependencies import PiiDep
from member_svc.verification import service
from member_svc.verification.schemas import (
    CallbackCreate,
    Figures,
    FixRequest,
    Rejection,
    TaskRead,
    TaskSummary,
)

router = APIRouter(prefix="/applications", tags=["verification"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("", response_model=Page[TaskSummary])
async def list_applications(
    session: SessionDep,
    _: ApplicationReaderDep,
    status: str | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[TaskSummary]:
    """Applications in queue order, optionally by status."""
    return (await service.page(session, status, cursor, limit)).page(TaskSummary.model_validate)


@router.get("/figures", response_model=Figures)
async def figures(
    session: SessionDep,
    _: ApplicationReaderDep,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
) -> Figures:
    """Applications waiting, callbacks per reviewer per day, approval rate (default: the last 30 days)."""
    today = china_time.today()
    return await service.figures(session, since or today - timedelta(days=30), until or today, _now())


@router.post("/claim", response_model=TaskRead)
async def claim(session: SessionDep, pii: PiiDep, settings: SettingsDep, principal: ReviewerDep) -> TaskRead:
    """Take the oldest waiting application under a lease."""
    now = _now()
    task = await service.claim(session, principal.actor_id, settings.verification_lease_minutes, now)
    return await service.view(session, pii, principal, task, now)


@router.get("/{task_id}", response_model=TaskRead)
async def get_application(
    task_id: uuid.UUID, session: SessionDep, pii: PiiDep, principal: ApplicationReaderDep
) -> TaskRead:
    """One application with the policy evidence and its callbacks."""
    return await service.view(session, pii, principal, await service.get(session, task_id), _now())


@router.post("/{task_id}/callbacks", response_model=TaskRead, status_code=201)
async def record_callback(
    task_id: uuid.UUID, data: CallbackCreate, session: SessionDep, pii: PiiDep, principal: ReviewerDep
) -> TaskRead:
    """Record a phone callback; with ``retry_at`` the task returns to the queue until then."""
    now = _now()
    task = await service.record_callback(session, task_id, principal.actor_id, data, now)
    return await service.view(session, pii, principal, task, now)


@router.post("/{task_id}/approve", response_model=TaskRead)
async def approve(task_id: uuid.UUID, session: SessionDep, pii: PiiDep, principal: ReviewerDep) -> TaskRead:
    """Approve the application: the member is verified."""
    now = _now()
    task = await service.approve(session, pii, task_id, principal.actor_id, now)
    return await service.view(session, pii, principal, task, now)


@router.post("/{task_id}/reject", response_model=TaskRead)
async def reject(
    task_id: uuid.UUID, data: Rejection, session: SessionDep, pii: PiiDep, principal: ReviewerDep
) -> TaskRead:
    """Reject the application with a reason."""
    now = _now()
    task = await service.reject(session, task_id, principal.actor_id, data.reason, now)
    return await service.view(session, pii, principal, task, now)


@router.post("/{task_id}/return", response_model=TaskRead)
async def return_for_fix(
    task_id: uuid.UUID, data: FixRequest, session: SessionDep, pii: PiiDep, principal: ReviewerDep
) -> TaskRead:
    """Send the application back to the applicant with what to fix."""
    now = _now()
    task = await service.return_for_fix(session, task_id, principal.actor_id, data, now)
    return await service.view(session, pii, principal, task, now)


@router.post("/{task_id}/release", response_model=TaskRead)
async def release(task_id: uuid.UUID, session: SessionDep, pii: PiiDep, principal: ReviewerDep) -> TaskRead:
    """Give the task back to the queue."""
    now = _now()
    task = await service.release(session, task_id, principal.actor_id, now)
    return await service.view(session, pii, principal, task, now)
