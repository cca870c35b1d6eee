from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.surveys.models import SurveyPhoto, SurveyReview, SurveyTask


async def enqueue(
    session: AsyncSession,
    claim_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    kind: str,
    at: datetime,
    expected_by: datetime,
) -> None:
    """Put the claim (back) at the end of the queue; a new round starts after a re-shoot."""
    statement = insert(SurveyTask).values(
        claim_id=claim_id,
        member_id=member_id,
        kind=kind,
        status="queued",
        round=1,
        queued_at=at,
        expected_by=expected_by,
        reshoot_slots=[],
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[SurveyTask.claim_id],
            set_={
                "kind": kind,
                "status": "queued",
                "round": SurveyTask.round + 1,
                "surveyor_id": None,
                "queued_at": at,
                "taken_at": None,
                "expected_by": expected_by,
            },
        )
    )


async def remove(session: AsyncSession, claim_id: uuid.UUID) -> None:
    await session.execute(delete(SurveyTask).where(SurveyTask.claim_id == claim_id))


async def get_task(
    session: AsyncSession, claim_id: uuid.UUID, *, for_update: bool = False
) -> SurveyTask | None:
    statement = select(SurveyTask).where(SurveyTask.claim_id == claim_id)
    if for_update:
        statement = statement.with_for_update()
    result = await session.scalars(statement.execution_options(populate_existing=for_update))
    return result.first()


async def take_next(
    session: AsyncSession, *, kind: str | None, claim_id: uuid.UUID | None = None
) -> SurveyTask | None:
    """The oldest queued task nobody else is taking right now (``FOR UPDATE SKIP LOCKED``)."""
    statement = select(SurveyTask).where(SurveyTask.status == "queued")
    if kind is not None:
        statement = statement.where(SurveyTask.kind == kind)
    if claim_id is not None:
        statement = statement.where(SurveyTask.claim_id == claim_id)
    result = await session.scalars(
        statement.order_by(SurveyTask.queued_at, SurveyTask.claim_id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def page_for_surveyor(
    session: AsyncSession,
    surveyor_id: str,
    *,
    mine: bool,
    cursor: str | None,
    limit: int,
) -> Slice[SurveyTask]:
    statement = select(SurveyTask)
    if mine:
        statement = statement.where(SurveyTask.surveyor_id == surveyor_id, SurveyTask.status == "taken")
    else:
        statement = statement.where(SurveyTask.status == "queued")
    return await paginate(session, statement, cursor, limit, by=(SurveyTask.queued_at, SurveyTask.claim_id))


def add_review(session: AsyncSession, review: SurveyReview) -> None:
    session.add(review)


def add_photo(session: AsyncSession, photo: SurveyPhoto) -> None:
    session.add(photo)


async def current_photos(session: AsyncSession, claim_id: uuid.UUID) -> Sequence[SurveyPhoto]:
    result = await session.scalars(
        select(SurveyPhoto)
        .where(SurveyPhoto.claim_id == claim_id, SurveyPhoto.replaced_at.is_(None))
        .order_by(SurveyPhoto.uploaded_at)
    )
    return result.all()


async def get_photo(session: AsyncSession, claim_id: uuid.UUID, photo_id: uuid.UUID) -> SurveyPhoto | None:
    result = await session.scalars(
        select(SurveyPhoto).where(SurveyPhoto.id == photo_id, SurveyPhoto.claim_id == claim_id)
    )
    return result.first()


async def replace_slots(
    session: AsyncSession, claim_id: uuid.UUID, slots: Sequence[str], at: datetime
) -> None:
    await session.execute(
        update(SurveyPhoto)
        .where(
            SurveyPhoto.claim_id == claim_id, SurveyPhoto.slot.in_(slots), SurveyPhoto.replaced_at.is_(None)
        )
        .values(replaced_at=at)
    )


async def delete_photo(session: AsyncSession, photo: SurveyPhoto) -> None:
    await session.delete(photo)


async def count_current(session: AsyncSession, claim_id: uuid.UUID) -> int:
    count: int = await session.scalar(
        select(func.count()).where(SurveyPhoto.claim_id == claim_id, SurveyPhoto.replaced_at.is_(None))
    )  # type: ignore[assignment]
    return count
