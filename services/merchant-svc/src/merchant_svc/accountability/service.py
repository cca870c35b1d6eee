"""Service records, accountability cases and the merchant scorecard (商家服务记录制度)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from cheyou_events.catalogue.merchant import AccountabilityDecided, AccountabilityOpened
from cheyou_events.catalogue.privilege import ComplaintFiled, PrivilegeOrderRated
from cheyou_kit.errors import NotFound
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.accountability import repository
from merchant_svc.accountability.errors import CaseClosed, CaseNotFound
from merchant_svc.accountability.models import AccountabilityCase, CaseNote, Outcome, ServiceRecord, SlaMiss
from merchant_svc.accountability.repository import Figures
from merchant_svc.accountability.schemas import Decision, Scorecard
from merchant_svc.eventing import publish
from merchant_svc.fulfilments.models import Fulfilment, FulfilmentStatus
from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.models import MerchantStatus

LOW_RATING_STARS = 2
"""A rating this low opens a case like a complaint does."""
SCORE_WINDOW = timedelta(days=90)
NEUTRAL = 80.0
"""The part of the score a merchant gets while there is nothing to judge it by."""


async def record_service(
    session: AsyncSession, fulfilment: Fulfilment, *, notes: str | None, photos: list[str]
) -> ServiceRecord:
    """The service record of a finished order, with its SLA hits; refreshes the merchant's score."""
    assert fulfilment.merchant_id is not None
    assert fulfilment.dispatched_at is not None
    completed = fulfilment.status == FulfilmentStatus.COMPLETED
    finished_at = fulfilment.completed_at if completed else fulfilment.failed_at
    assert finished_at is not None
    record = ServiceRecord(
        order_id=fulfilment.order_id,
        merchant_id=fulfilment.merchant_id,
        member_id=fulfilment.member_id,
        privilege_id=fulfilment.privilege_id,
        outcome="completed" if completed else "failed",
        dispatched_at=fulfilment.dispatched_at,
        accepted_at=fulfilment.accepted_at,
        arrived_at=fulfilment.arrived_at,
        started_at=fulfilment.started_at,
        finished_at=finished_at,
        accept_sla_met=_met(fulfilment.accepted_at, fulfilment.accept_due_at),
        complete_sla_met=completed and _met(fulfilment.completed_at, fulfilment.complete_due_at),
        notes=notes,
        photos=photos,
    )
    await repository.add(session, record)
    await refresh_score(session, fulfilment.merchant_id)
    return record


async def record_accept_miss(session: AsyncSession, fulfilment: Fulfilment, now: datetime) -> None:
    """The merchant let the order's accept window pass (once per order and merchant)."""
    assert fulfilment.merchant_id is not None
    assert fulfilment.accept_due_at is not None
    miss = SlaMiss(
        order_id=fulfilment.order_id,
        merchant_id=fulfilment.merchant_id,
        kind="accept",
        due_at=fulfilment.accept_due_at,
        recorded_at=now,
    )
    if await repository.add_sla_miss_if_absent(session, miss):
        await refresh_score(session, fulfilment.merchant_id)


def _met(at: datetime | None, due: datetime | None) -> bool:
    return at is not None and due is not None and at <= due


async def record_by_order(session: AsyncSession, order_id: str) -> ServiceRecord:
    record = await repository.record_by_order(session, order_id)
    if record is None:
        raise NotFound(f"no service record for order {order_id}")
    return record


async def on_rated(session: AsyncSession, event: PrivilegeOrderRated) -> None:
    """Keep the member's stars on the service record; a low rating opens a case."""
    record = await repository.rate(session, event.order_id, event.stars, event.comment, event.rated_at)
    merchant_id = record.merchant_id if record else uuid.UUID(event.merchant_id)
    if event.stars <= LOW_RATING_STARS:
        await open_case(
            session,
            complaint_id=f"rating:{event.order_id}",
            merchant_id=merchant_id,
            order_id=event.order_id,
            member_id=event.member_id,
            source="rating",
            category="low_rating",
            at=event.rated_at,
        )
    await refresh_score(session, merchant_id)


async def on_complaint(session: AsyncSession, event: ComplaintFiled) -> None:
    await open_case(
        session,
        complaint_id=event.complaint_id,
        merchant_id=uuid.UUID(event.merchant_id),
        order_id=event.order_id,
        member_id=event.member_id,
        source="complaint",
        category=event.category,
        at=event.filed_at,
    )
    await refresh_score(session, uuid.UUID(event.merchant_id))


async def open_case(
    session: AsyncSession,
    *,
    complaint_id: str,
    merchant_id: uuid.UUID,
    order_id: str,
    member_id: str,
    source: str,
    category: str,
    at: datetime,
) -> None:
    """Open the case once per complaint and tell whoever follows merchants (``accountability_opened``)."""
    case_ = AccountabilityCase(
        id=uuid.uuid4(),
        complaint_id=complaint_id,
        merchant_id=merchant_id,
        order_id=order_id,
        member_id=member_id,
        source=source,
        category=category,
        status="open",
        opened_at=at,
    )
    if not await repository.open_case_if_absent(session, case_):
        return
    payload = AccountabilityOpened(
        case_id=str(case_.id),
        complaint_id=complaint_id,
        order_id=order_id,
        member_id=member_id,
        merchant_id=str(merchant_id),
        opened_at=at,
    )
    await publish(session, payload)


async def get_case(
    session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False
) -> AccountabilityCase:
    case_ = await repository.get_case(session, case_id, for_update=for_update)
    if case_ is None:
        raise CaseNotFound(f"accountability case {case_id} is not known")
    return case_


async def list_cases(
    session: AsyncSession,
    *,
    merchant_id: uuid.UUID | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[AccountabilityCase]:
    return await repository.list_cases(
        session, merchant_id=merchant_id, status=status, cursor=cursor, limit=limit
    )


async def notes_of(session: AsyncSession, case_id: uuid.UUID) -> list[CaseNote]:
    return await repository.notes_of(session, case_id)


async def add_note(session: AsyncSession, case_id: uuid.UUID, author: str, text: str) -> CaseNote:
    case_ = await get_case(session, case_id)
    if case_.status != "open":
        raise CaseClosed(f"case {case_id} is decided; notes are closed")
    note = CaseNote(case_id=case_id, author=author, text=text)
    await repository.add(session, note)
    await session.refresh(note)
    return note


async def decide(
    session: AsyncSession, case_id: uuid.UUID, decision: Decision, decided_by: str
) -> AccountabilityCase:
    """Close the case; a suspension suspends the merchant at once (no new orders)."""
    case_ = await get_case(session, case_id, for_update=True)
    if case_.status != "open":
        raise CaseClosed(f"case {case_id} is already decided ({case_.outcome})")
    now = datetime.now(UTC)
    case_.status = "decided"
    case_.outcome = decision.outcome
    case_.penalty_fen = decision.penalty_fen
    case_.decision_reason = decision.reason
    case_.decided_by = decided_by
    case_.decided_at = now
    await session.flush()
    if decision.outcome == Outcome.SUSPENSION:
        merchant = await merchants.get(session, case_.merchant_id)
        if merchant.status == MerchantStatus.ACTIVE:
            await merchants.change_status(
                session, case_.merchant_id, MerchantStatus.SUSPENDED, decision.reason, case_id=case_.id
            )
    payload = AccountabilityDecided(
        case_id=str(case_.id),
        order_id=case_.order_id,
        member_id=case_.member_id,
        merchant_id=str(case_.merchant_id),
        outcome=decision.outcome.value,
        penalty_fen=decision.penalty_fen,
        decided_by=decided_by,
        decided_at=now,
    )
    await publish(session, payload)
    return case_


def score_of(figures: Figures) -> float:
    """0–100: half satisfaction, 30 % SLA hits (a missed accept window counts as a miss), 20 % freedom
    from complaints; neutral without data."""
    satisfaction = (figures.average_stars - 1) / 4 * 100 if figures.average_stars is not None else NEUTRAL
    judged = figures.services + figures.accept_misses
    sla = figures.sla_hits / judged * 100 if judged else NEUTRAL
    if figures.services:
        complaints = (1 - min(1.0, figures.complaints / figures.services)) * 100
    else:
        complaints = NEUTRAL if not figures.complaints else 0.0
    return round(0.5 * satisfaction + 0.3 * sla + 0.2 * complaints, 2)


async def scorecard(
    session: AsyncSession, merchant_id: uuid.UUID, since: datetime | None = None
) -> Scorecard:
    await merchants.get(session, merchant_id)
    since = since or datetime.now(UTC) - SCORE_WINDOW
    figures = await repository.figures(session, merchant_id, since)
    judged = figures.services + figures.accept_misses
    return Scorecard(
        merchant_id=merchant_id,
        since=since,
        services=figures.services,
        completed=figures.completed,
        rated=figures.rated,
        satisfaction=round(figures.average_stars, 2) if figures.average_stars is not None else None,
        accept_misses=figures.accept_misses,
        sla_hit_rate=round(figures.sla_hits / judged, 4) if judged else None,
        complaints=figures.complaints,
        complaint_rate=round(figures.complaints / figures.services, 4) if figures.services else None,
        score=score_of(figures),
    )


async def refresh_score(session: AsyncSession, merchant_id: uuid.UUID) -> None:
    figures = await repository.figures(session, merchant_id, datetime.now(UTC) - SCORE_WINDOW)
    await merchants.set_score(session, merchant_id, score_of(figures))
