from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.documents.models import ClaimDocument


def add(session: AsyncSession, document: ClaimDocument) -> None:
    session.add(document)


async def of_claim(session: AsyncSession, claim_id: uuid.UUID) -> Sequence[ClaimDocument]:
    result = await session.scalars(
        select(ClaimDocument).where(ClaimDocument.claim_id == claim_id).order_by(ClaimDocument.uploaded_at)
    )
    return result.all()


async def count_of_kind(session: AsyncSession, claim_id: uuid.UUID, kind: str) -> int:
    count: int = await session.scalar(
        select(func.count()).where(ClaimDocument.claim_id == claim_id, ClaimDocument.kind == kind)
    )  # type: ignore[assignment]
    return count


async def get(session: AsyncSession, claim_id: uuid.UUID, document_id: uuid.UUID) -> ClaimDocument | None:
    result = await session.scalars(
        select(ClaimDocument).where(ClaimDocument.id == document_id, ClaimDocument.claim_id == claim_id)
    )
    return result.first()
