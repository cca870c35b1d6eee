from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.accountability.models import AccountabilityCase, CaseNote, ServiceRecord, SlaMiss


async def add(session: AsyncSession, row: ServiceRecord | CaseNote) -> None:
    session.add(row)
    await session.flush()


async def record_by_order(session: AsyncSession, order_id: str) -> ServiceRecord | None:
    return (
        await session.execute(select(ServiceRecord).where(ServiceRecord.order_id == order_id))
    ).scalar_one_or_none()


async def rate(
    session: AsyncSession, order_id: str, stars: int, comment: str | None, rated_at: datetime
) -> ServiceRecord | None:
    await session.execute(
        update(ServiceRecord)
        .where(ServiceRecord.order_id == order_id)
        .values(stars=stars, rating_comment=comment, rated_at=rated_at)
    )
    return await record_by_order(session, order_id)


async def open_case_if_absent(session: AsyncSession, case_: AccountabilityCase) -> bool:
    values = {
        c.key: getattr(case_, c.key)
        for c in AccountabilityCase.__table__.columns
        if getattr(case_, c.key) is not None
    }
    result = await session.execute(
        insert(AccountabilityCase).values(**values).on_conflict_do_nothing().returning(AccountabilityCase.id)
    )
    return result.first() is not None


async def add_sla_miss_if_absent(session: AsyncSession, miss: SlaMiss) -> bool:
    values = {
        c.key: getattr(miss, c.key) for c in SlaMiss.__table__.columns if getattr(miss, c.key) is not None
    }
    result = await session.execute(
        insert(SlaMiss).values(**values).on_conflict_do_nothing().returning(SlaMiss.id)
    )
    return result.first() is not None


async def sla_misses_of_order(session: AsyncSession, order_id: str) -> list[SlaMiss]:
    query = select(SlaMiss).where(SlaMiss.order_id == order_id).order_by(SlaMiss.recorded_at)
    return list((await session.execute(query)).scalars())


async def get_case(
    session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False
) -> AccountabilityCase | None:
    return await session.get(AccountabilityCase, case_id, with_for_update=for_update)


async def list_cases(
    session: AsyncSession,
    *,
    merchant_id: uuid.UUID | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[AccountabilityCase]:
    query = select(AccountabilityCase)
    if merchant_id is not None:
        query = query.where(AccountabilityCase.merchant_id == merchant_id)
    if status is not None:
        query = query.where(AccountabilityCase.status == status)
    return await paginate(
        session, query, cursor, limit, by=(AccountabilityCase.opened_at, AccountabilityCase.id)
    )


async def notes_of(session: AsyncSession, case_id: uuid.UUID) -> list[CaseNote]:
    query = select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.created_at)
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class Figures:
    services: int
    completed: int
    rated: int
    average_stars: float | None
    sla_hits: int
    complaints: int
    accept_misses: int
    """Orders taken from the merchant for letting the accept window pass (no service record)."""


async def figures(session: AsyncSession, merchant_id: uuid.UUID, since: datetime) -> Figures:
    records = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(ServiceRecord.outcome == "completed"),
                func.count(ServiceRecord.stars),
                func.avg(ServiceRecord.stars),
                func.sum(
                    case((and_(ServiceRecord.accept_sla_met, ServiceRecord.complete_sla_met), 1), else_=0)
                ),
            ).where(ServiceRecord.merchant_id == merchant_id, ServiceRecord.finished_at >= since)
        )
    ).one()
    complaints = (
        await session.execute(
            select(func.count()).where(
                AccountabilityCase.merchant_id == merchant_id,
                AccountabilityCase.source == "complaint",
                AccountabilityCase.opened_at >= since,
            )
        )
    ).scalar_one()
    accept_misses = (
        await session.execute(
            select(func.count()).where(SlaMiss.merchant_id == merchant_id, SlaMiss.recorded_at >= since)
        )
    ).scalar_one()
    services, completed, rated, average, hits = records
    return Figures(
        services=services,
        completed=completed,
        rated=rated,
        average_stars=float(average) if average is not None else None,
        sla_hits=int(hits or 0),
        complaints=complaints,
        accept_misses=accept_misses,
    )
