"""Dispatch of requested orders to a contracted merchant, and the order's state machine after that."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cheyou_events import Event
from cheyou_events.catalogue.merchant import (
    MerchantOrderAccepted,
    MerchantOrderCompleted,
    MerchantOrderFailed,
    MerchantOrderInService,
    MerchantOrderRejected,
    MerchantOrderUnplaceable,
)
from cheyou_events.catalogue.privilege import PrivilegeOrderCancelled, PrivilegeOrderRequested
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.accountability import service as accountability
from merchant_svc.eventing import publish
from merchant_svc.fulfilments import repository
from merchant_svc.fulfilments.errors import IllegalTransition, OrderNotFound
from merchant_svc.fulfilments.models import (
    OPEN_STATUSES,
    Fulfilment,
    FulfilmentStatus,
    HistoryEntry,
)
from merchant_svc.fulfilments.schemas import Accept, Complete, Fail, Reject
from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.models import Candidate
from merchant_svc.service_points import service as service_points
from merchant_svc.service_points.models import ServicePoint
from merchant_svc.users.service import Actor
from merchant_svc.webhooks import service as webhooks
from merchant_svc.webhooks.schemas import WebhookEventType

# The fields every order request has; the others (pick-up address, plate, flight number…) are details.
CORE_FIELDS = frozenset(PrivilegeOrderRequested.model_fields) - {
    "privilege_name",
    "pickup_address",
    "destination_address",
    "vehicle_plate",
    "flight_no",
    "notes",
    "service_point_id",
    "merchant_category",
    "tier",
}
UnplaceableReason = Literal[
    "no_contracted_merchant", "merchant_unreachable", "all_rejected", "at_capacity", "accept_deadline_missed"
]
SYSTEM = "system"


async def _emit(session: AsyncSession, payload: Event) -> None:
    await publish(session, payload)


async def _record(
    session: AsyncSession,
    fulfilment: Fulfilment,
    action: str,
    at: datetime,
    *,
    actor: Actor | None = None,
    merchant_id: uuid.UUID | None = None,
    note: str | None = None,
) -> None:
    """A step of the order's history; a merchant's step names the user whose key acted."""
    await repository.add_history(
        session,
        HistoryEntry(
            order_id=fulfilment.order_id,
            action=action,
            merchant_id=actor.merchant_id if actor else merchant_id,
            merchant_user_id=actor.user_id if actor else None,
            api_key_id=actor.api_key_id if actor else None,
            actor=actor.subject if actor else SYSTEM,
            note=note,
            at=at,
        ),
    )


async def record_request(session: AsyncSession, event: PrivilegeOrderRequested) -> None:
    """Record the order once and dispatch it (a redelivered request changes nothing).

    When the order's cancellation came first (the request waited on the retry topic), the order is
    recorded as cancelled and offered to no merchant.
    """
    details = {
        k: v for k, v in event.model_dump(mode="json", exclude_none=True).items() if k not in CORE_FIELDS
    }
    inserted = await repository.add_if_absent(
        session,
        Fulfilment(
            order_id=event.order_id,
            member_id=event.member_id,
            privilege_id=event.privilege_id,
            city_code=event.city_code,
            price_fen=event.price_fen,
            appointment_at=event.appointment_at,
            status=FulfilmentStatus.AWAITING_DISPATCH,
            requested_at=event.requested_at,
            details=details,
        ),
    )
    if not inserted:
        return
    fulfilment = await repository.get(session, event.order_id, for_update=True)
    assert fulfilment is not None
    if (cancellation := await repository.take_early_cancellation(session, event.order_id)) is not None:
        reason, cancelled_at = cancellation
        await _cancel(session, fulfilment, reason, cancelled_at)
        return
    await dispatch(session, fulfilment)


def rank(candidate: Candidate) -> float:
    """Score discounted by how full the merchant is: a busy good merchant can lose to an idle one."""
    utilisation = candidate.open_orders / candidate.contract.max_open_orders
    return candidate.merchant.score * (1 - utilisation)


async def dispatch(
    session: AsyncSession, fulfilment: Fulfilment, exhausted: UnplaceableReason = "all_rejected"
) -> None:
    """Give the order to the best eligible merchant and queue its webhook, or declare it unplaceable.

    Merchants that rejected the order or let its accept window pass are not asked again; when they were
    the only ones, the order is unplaceable for the ``exhausted`` reason. An order naming the member's
    chosen service point goes to that point's merchant when it is eligible and the point offers the
    service, else to the eligible merchant with the capable point nearest the chosen one; without a
    chosen point (or no capable point), to the best-ranked merchant.
    """
    now = datetime.now(UTC)
    candidates = await merchants.dispatch_candidates(
        session,
        privilege_id=fulfilment.privilege_id,
        city_code=fulfilment.city_code,
        on=now.date(),
        exclude=[*fulfilment.rejected_by, *fulfilment.expired_for],
    )
    with_room = [c for c in candidates if c.open_orders < c.contract.max_open_orders]
    reachable = await webhooks.reachable(session, [c.merchant.id for c in with_room])
    eligible = [c for c in with_room if c.merchant.id in reachable]
    if not eligible:
        reason: UnplaceableReason
        if with_room:
            reason = "merchant_unreachable"
        elif candidates:
            reason = "at_capacity"
        elif fulfilment.rejected_by or fulfilment.expired_for:
            reason = exhausted
        else:
            reason = "no_contracted_merchant"
        await _unplaceable(session, fulfilment, reason, now)
        return
    point = await service_points.preferred_point(
        session,
        fulfilment.details.get("service_point_id"),
        fulfilment.privilege_id,
        [c.merchant.id for c in eligible],
    )
    if point is not None:
        eligible = [c for c in eligible if c.merchant.id == point.merchant_id]
    best = max(eligible, key=lambda c: (rank(c), -c.open_orders, str(c.merchant.id)))
    fulfilment.merchant_id = best.merchant.id
    fulfilment.service_point_id = point.id if point is not None else None
    fulfilment.contract_id = best.contract.id
    fulfilment.unit_price_fen = best.contract.unit_price_fen
    fulfilment.status = FulfilmentStatus.DISPATCHED
    fulfilment.dispatched_at = now
    fulfilment.accept_due_at = now + timedelta(minutes=best.contract.accept_within_minutes)
    fulfilment.reason = None
    await session.flush()
    note = f"at service point {point.name} ({point.id})" if point is not None else None
    await _record(session, fulfilment, "dispatched", now, merchant_id=best.merchant.id, note=note)
    await webhooks.enqueue(
        session,
        best.merchant.id,
        WebhookEventType.ORDER_DISPATCHED,
        _webhook_data(fulfilment, point),
        order_id=fulfilment.order_id,
    )


def _webhook_data(fulfilment: Fulfilment, point: ServicePoint | None = None) -> dict[str, Any]:
    return {
        "order_id": fulfilment.order_id,
        "privilege_id": fulfilment.privilege_id,
        "city_code": fulfilment.city_code,
        "appointment_at": fulfilment.appointment_at.isoformat() if fulfilment.appointment_at else None,
        "unit_price_fen": fulfilment.unit_price_fen,
        "accept_by": fulfilment.accept_due_at.isoformat() if fulfilment.accept_due_at else None,
        "details": fulfilment.details,
        "service_point": {"id": str(point.id), "name": point.name, "address": point.address}
        if point is not None
        else None,
    }


async def _unplaceable(
    session: AsyncSession, fulfilment: Fulfilment, reason: UnplaceableReason, now: datetime
) -> None:
    fulfilment.status = FulfilmentStatus.UNPLACEABLE
    fulfilment.merchant_id = None
    fulfilment.service_point_id = None
    fulfilment.reason = reason
    await session.flush()
    await _record(session, fulfilment, "unplaceable", now, note=reason)
    await _emit(
        session,
        MerchantOrderUnplaceable(
            order_id=fulfilment.order_id, member_id=fulfilment.member_id, reason=reason, failed_at=now
        ),
    )


async def cancel(session: AsyncSession, event: PrivilegeOrderCancelled) -> None:
    """privilege-svc cancelled the order: stop it here and tell the merchant if one has it.

    An order not known yet is remembered as cancelled, for its request to find (see ``record_request``).
    """
    fulfilment = await repository.get(session, event.order_id, for_update=True)
    if fulfilment is None:
        await repository.keep_early_cancellation(
            session,
            order_id=event.order_id,
            member_id=event.member_id,
            reason=event.reason,
            cancelled_at=event.cancelled_at,
        )
        return
    if fulfilment.status not in (FulfilmentStatus.AWAITING_DISPATCH, *OPEN_STATUSES):
        return
    await _cancel(session, fulfilment, event.reason, event.cancelled_at)


async def _cancel(session: AsyncSession, fulfilment: Fulfilment, reason: str, at: datetime) -> None:
    fulfilment.status = FulfilmentStatus.CANCELLED
    fulfilment.cancelled_at = at
    fulfilment.reason = reason
    await session.flush()
    await _record(session, fulfilment, "cancelled", at, merchant_id=fulfilment.merchant_id, note=reason)
    if fulfilment.merchant_id is not None:
        data = {"order_id": fulfilment.order_id, "reason": reason, "cancelled_at": at.isoformat()}
        await webhooks.enqueue(
            session,
            fulfilment.merchant_id,
            WebhookEventType.ORDER_CANCELLED,
            data,
            order_id=fulfilment.order_id,
        )


async def get(session: AsyncSession, order_id: str) -> Fulfilment:
    fulfilment = await repository.get(session, order_id)
    if fulfilment is None:
        raise OrderNotFound(f"order {order_id} is not known")
    return fulfilment


async def history_of(session: AsyncSession, order_id: str) -> list[HistoryEntry]:
    return await repository.history_of(session, order_id)


# --- the accept deadline ---------------------------------------------------------------------------


async def expire_overdue(session: AsyncSession, limit: int) -> int:
    """Take overdue orders from the merchants that let the accept window pass, and offer them to the next.

    For each: the SLA miss is recorded against the merchant, the merchant is told (``order.cancelled``
    webhook, reason ``accept_deadline_missed``) and never offered the order again, and the order is
    dispatched anew (or is unplaceable). Rows are locked and skipped when another worker holds them, and
    only ``dispatched`` rows past their deadline are taken, so running this twice (or on two replicas,
    or again after a crash) handles each miss once. Returns how many orders it handled.
    """
    now = datetime.now(UTC)
    overdue = await repository.overdue_for_accept(session, now, limit)
    for fulfilment in overdue:
        merchant_id = fulfilment.merchant_id
        assert merchant_id is not None
        assert fulfilment.accept_due_at is not None
        await accountability.record_accept_miss(session, fulfilment, now)
        fulfilment.expired_for = [*fulfilment.expired_for, merchant_id]
        await session.flush()
        await _record(
            session,
            fulfilment,
            "accept_deadline_missed",
            now,
            merchant_id=merchant_id,
            note=f"not accepted by {fulfilment.accept_due_at.isoformat()}",
        )
        data = {
            "order_id": fulfilment.order_id,
            "reason": "accept_deadline_missed",
            "cancelled_at": now.isoformat(),
        }
        await webhooks.enqueue(
            session, merchant_id, WebhookEventType.ORDER_CANCELLED, data, order_id=fulfilment.order_id
        )
        await dispatch(session, fulfilment, exhausted="accept_deadline_missed")
    return len(overdue)


async def list_page(
    session: AsyncSession,
    *,
    merchant_id: uuid.UUID | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> list[Fulfilment]:
    return await repository.list_page(
        session, merchant_id=merchant_id, status=status, cursor=cursor, limit=limit
    )


# --- the merchant's callbacks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    from_: frozenset[FulfilmentStatus]
    to: FulfilmentStatus
    stamp: str


TRANSITIONS = {
    "accept": Transition(frozenset({FulfilmentStatus.DISPATCHED}), FulfilmentStatus.ACCEPTED, "accepted_at"),
    "arrive": Transition(frozenset({FulfilmentStatus.ACCEPTED}), FulfilmentStatus.ARRIVED, "arrived_at"),
    "start": Transition(
        frozenset({FulfilmentStatus.ACCEPTED, FulfilmentStatus.ARRIVED}),
        FulfilmentStatus.IN_SERVICE,
        "started_at",
    ),
    "complete": Transition(
        frozenset({FulfilmentStatus.IN_SERVICE}), FulfilmentStatus.COMPLETED, "completed_at"
    ),
    "fail": Transition(
        frozenset({FulfilmentStatus.ACCEPTED, FulfilmentStatus.ARRIVED, FulfilmentStatus.IN_SERVICE}),
        FulfilmentStatus.FAILED,
        "failed_at",
    ),
}


def merchant_view_status(fulfilment: Fulfilment, merchant_id: uuid.UUID) -> str:
    if merchant_id in fulfilment.rejected_by:
        return "rejected"
    if merchant_id in fulfilment.expired_for:
        return "expired"
    return fulfilment.status


async def of_merchant(
    session: AsyncSession, order_id: str, merchant_id: uuid.UUID, *, for_update: bool = False
) -> Fulfilment:
    """The order if it is (or was, before the merchant rejected it or let it lapse) this merchant's;
    404 otherwise."""
    fulfilment = await repository.get(session, order_id, for_update=for_update)
    if fulfilment is None or (
        fulfilment.merchant_id != merchant_id
        and merchant_id not in fulfilment.rejected_by
        and merchant_id not in fulfilment.expired_for
    ):
        raise OrderNotFound(f"order {order_id} is not known")
    return fulfilment


async def held_by_merchant(session: AsyncSession, order_id: str, merchant_id: uuid.UUID) -> Fulfilment:
    """The order if this merchant holds it now; 404 once it rejected the order or let it lapse (the
    member's details, another merchant's steps and evidence are no longer its business)."""
    fulfilment = await repository.get(session, order_id)
    if fulfilment is None or fulfilment.merchant_id != merchant_id:
        raise OrderNotFound(f"order {order_id} is not known")
    return fulfilment


def held_by(fulfilment: Fulfilment, merchant_id: uuid.UUID) -> bool:
    return fulfilment.merchant_id == merchant_id


async def _step(session: AsyncSession, order_id: str, actor: Actor, action: str) -> tuple[Fulfilment, bool]:
    """Apply ``action`` if legal and record who did it; (order, False) when it already happened (an
    idempotent repeat, recorded once)."""
    merchant_id = actor.merchant_id
    fulfilment = await of_merchant(session, order_id, merchant_id, for_update=True)
    transition = TRANSITIONS[action]
    if fulfilment.merchant_id == merchant_id and getattr(fulfilment, transition.stamp) is not None:
        return fulfilment, False
    current = merchant_view_status(fulfilment, merchant_id)
    if fulfilment.merchant_id != merchant_id or fulfilment.status not in transition.from_:
        raise IllegalTransition(f"cannot {action} an order that is {current}", status_now=current)
    now = datetime.now(UTC)
    fulfilment.status = transition.to
    setattr(fulfilment, transition.stamp, now)
    await session.flush()
    await _record(session, fulfilment, transition.to, now, actor=actor)
    return fulfilment, True


async def accept(session: AsyncSession, order_id: str, actor: Actor, data: Accept) -> Fulfilment:
    actor.ensure_takes_orders()
    merchant_id = actor.merchant_id
    fulfilment, changed = await _step(session, order_id, actor, "accept")
    if changed:
        assert fulfilment.accepted_at is not None
        assert fulfilment.contract_id is not None
        contract = await merchants.contract(session, fulfilment.contract_id)
        fulfilment.complete_due_at = fulfilment.accepted_at + timedelta(
            minutes=contract.complete_within_minutes
        )
        if data.appointment_at is not None:
            fulfilment.appointment_at = data.appointment_at
        await session.flush()
        await _emit(
            session,
            MerchantOrderAccepted(
                order_id=order_id,
                member_id=fulfilment.member_id,
                merchant_id=str(merchant_id),
                appointment_at=fulfilment.appointment_at,
                accepted_at=fulfilment.accepted_at,
            ),
        )
    return fulfilment


async def reject(session: AsyncSession, order_id: str, actor: Actor, data: Reject) -> Fulfilment:
    """The merchant declines: recorded, emitted, and the order goes to the next best merchant."""
    actor.ensure_takes_orders()
    merchant_id = actor.merchant_id
    fulfilment = await of_merchant(session, order_id, merchant_id, for_update=True)
    if merchant_id in fulfilment.rejected_by:
        return fulfilment
    if fulfilment.merchant_id != merchant_id or fulfilment.status != FulfilmentStatus.DISPATCHED:
        current = merchant_view_status(fulfilment, merchant_id)
        raise IllegalTransition(f"cannot reject an order that is {current}", status_now=current)
    now = datetime.now(UTC)
    fulfilment.rejected_by = [*fulfilment.rejected_by, merchant_id]
    fulfilment.reason = data.reason
    await session.flush()
    await _record(session, fulfilment, "rejected", now, actor=actor, note=data.reason)
    await _emit(
        session,
        MerchantOrderRejected(
            order_id=order_id,
            member_id=fulfilment.member_id,
            merchant_id=str(merchant_id),
            reason=data.reason,
            rejected_at=now,
        ),
    )
    await dispatch(session, fulfilment)
    return fulfilment


async def arrive(session: AsyncSession, order_id: str, actor: Actor) -> Fulfilment:
    fulfilment, _ = await _step(session, order_id, actor, "arrive")
    return fulfilment


async def start(session: AsyncSession, order_id: str, actor: Actor) -> Fulfilment:
    merchant_id = actor.merchant_id
    fulfilment, changed = await _step(session, order_id, actor, "start")
    if changed:
        assert fulfilment.started_at is not None
        await _emit(
            session,
            MerchantOrderInService(
                order_id=order_id,
                member_id=fulfilment.member_id,
                merchant_id=str(merchant_id),
                started_at=fulfilment.started_at,
            ),
        )
    return fulfilment


async def complete(session: AsyncSession, order_id: str, actor: Actor, data: Complete) -> Fulfilment:
    merchant_id = actor.merchant_id
    fulfilment, changed = await _step(session, order_id, actor, "complete")
    if changed:
        assert fulfilment.completed_at is not None
        photos = [str(p) for p in data.photos]
        fulfilment.evidence = {"notes": data.notes, "photos": photos}
        await session.flush()
        record = await accountability.record_service(session, fulfilment, notes=data.notes, photos=photos)
        await _emit(
            session,
            MerchantOrderCompleted(
                order_id=order_id,
                member_id=fulfilment.member_id,
                merchant_id=str(merchant_id),
                service_record_id=str(record.id),
                completed_at=fulfilment.completed_at,
            ),
        )
    return fulfilment


async def fail(session: AsyncSession, order_id: str, actor: Actor, data: Fail) -> Fulfilment:
    merchant_id = actor.merchant_id
    fulfilment, changed = await _step(session, order_id, actor, "fail")
    if changed:
        assert fulfilment.failed_at is not None
        fulfilment.reason = data.reason
        await session.flush()
        await accountability.record_service(session, fulfilment, notes=data.reason, photos=[])
        await _emit(
            session,
            MerchantOrderFailed(
                order_id=order_id,
                member_id=fulfilment.member_id,
                merchant_id=str(merchant_id),
                reason=data.reason,
                failed_at=fulfilment.failed_at,
            ),
        )
    return fulfilment
