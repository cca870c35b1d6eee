"""Dispatch of requested orders to a contracted merchant, and the order's state machine after that."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cheyou_events import Envelope, Event, add_event
from cheyou_events.catalogue.merchant import (
    MerchantOrderAccepted,
    MerchantOrderCompleted,
    MerchantOrderFailed,
    MerchantOrderInService,
    MerchantOrderRejected,
    MerchantOrderUnplaceable,
)
from cheyou_events.catalogue.privilege import PrivilegeOrderCancelled, PrivilegeOrderRequested
from cheyou_kit.errors import Conflict, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.accountability import service as accountability
from merchant_svc.fulfilments import repository
from merchant_svc.fulfilments.models import OPEN_STATUSES, Fulfilment, FulfilmentStatus
from merchant_svc.fulfilments.schemas import Accept, Complete, Fail, Reject
from merchant_svc.merchants import repository as merchants
from merchant_svc.merchants.repository import Candidate
from merchant_svc.webhooks import service as webhooks
from merchant_svc.webhooks.schemas import WebhookEventType

SOURCE = "merchant-svc"
# The fields every order request has; the others (pick-up address, plate, flight number…) are details.
CORE_FIELDS = frozenset(PrivilegeOrderRequested.model_fields) - {
    "privilege_name",
    "pickup_address",
    "destination_address",
    "vehicle_plate",
    "flight_no",
    "notes",
    "merchant_category",
    "tier",
}
UnplaceableReason = Literal["no_contracted_merchant", "merchant_unreachable", "all_rejected", "at_capacity"]


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "Order not found"


class IllegalTransition(Conflict):
    slug = "illegal-order-transition"
    title = "The order cannot make this transition in its current state"


async def _emit(session: AsyncSession, payload: Event) -> None:
    await add_event(session, Envelope.new(payload, source=SOURCE))


async def record_request(session: AsyncSession, event: PrivilegeOrderRequested) -> None:
    """Record the order once and dispatch it (a redelivered request changes nothing)."""
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
    await dispatch(session, fulfilment)


def rank(candidate: Candidate) -> float:
    """Score discounted by how full the merchant is: a busy good merchant can lose to an idle one."""
    utilisation = candidate.open_orders / candidate.contract.max_open_orders
    return candidate.merchant.score * (1 - utilisation)


async def dispatch(session: AsyncSession, fulfilment: Fulfilment) -> None:
    """Give the order to the best eligible merchant and queue its webhook, or declare it unplaceable."""
    now = datetime.now(UTC)
    candidates = await merchants.dispatch_candidates(
        session,
        privilege_id=fulfilment.privilege_id,
        city_code=fulfilment.city_code,
        on=now.date(),
        exclude=list(fulfilment.rejected_by),
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
        elif fulfilment.rejected_by:
            reason = "all_rejected"
        else:
            reason = "no_contracted_merchant"
        await _unplaceable(session, fulfilment, reason, now)
        return
    best = max(eligible, key=lambda c: (rank(c), -c.open_orders, str(c.merchant.id)))
    fulfilment.merchant_id = best.merchant.id
    fulfilment.contract_id = best.contract.id
    fulfilment.unit_price_fen = best.contract.unit_price_fen
    fulfilment.status = FulfilmentStatus.DISPATCHED
    fulfilment.dispatched_at = now
    fulfilment.accept_due_at = now + timedelta(minutes=best.contract.accept_within_minutes)
    fulfilment.reason = None
    await session.flush()
    await webhooks.enqueue(
        session,
        best.merchant.id,
        WebhookEventType.ORDER_DISPATCHED,
        _webhook_data(fulfilment),
        order_id=fulfilment.order_id,
    )


def _webhook_data(fulfilment: Fulfilment) -> dict[str, Any]:
    return {
        "order_id": fulfilment.order_id,
        "privilege_id": fulfilment.privilege_id,
        "city_code": fulfilment.city_code,
        "appointment_at": fulfilment.appointment_at.isoformat() if fulfilment.appointment_at else None,
        "unit_price_fen": fulfilment.unit_price_fen,
        "accept_by": fulfilment.accept_due_at.isoformat() if fulfilment.accept_due_at else None,
        "details": fulfilment.details,
    }


async def _unplaceable(
    session: AsyncSession, fulfilment: Fulfilment, reason: UnplaceableReason, now: datetime
) -> None:
    fulfilment.status = FulfilmentStatus.UNPLACEABLE
    fulfilment.merchant_id = None
    fulfilment.reason = reason
    await session.flush()
    await _emit(
        session,
        MerchantOrderUnplaceable(
            order_id=fulfilment.order_id, member_id=fulfilment.member_id, reason=reason, failed_at=now
        ),
    )


async def cancel(session: AsyncSession, event: PrivilegeOrderCancelled) -> None:
    """privilege-svc cancelled the order: stop it here and tell the merchant if one has it."""
    fulfilment = await repository.get(session, event.order_id, for_update=True)
    if fulfilment is None or fulfilment.status not in (FulfilmentStatus.AWAITING_DISPATCH, *OPEN_STATUSES):
        return
    fulfilment.status = FulfilmentStatus.CANCELLED
    fulfilment.cancelled_at = event.cancelled_at
    fulfilment.reason = event.reason
    await session.flush()
    if fulfilment.merchant_id is not None:
        data = {
            "order_id": fulfilment.order_id,
            "reason": event.reason,
            "cancelled_at": event.cancelled_at.isoformat(),
        }
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
    return "rejected" if merchant_id in fulfilment.rejected_by else fulfilment.status


async def of_merchant(
    session: AsyncSession, order_id: str, merchant_id: uuid.UUID, *, for_update: bool = False
) -> Fulfilment:
    """The order if it is (or was, before the merchant rejected it) this merchant's; 404 otherwise."""
    fulfilment = await repository.get(session, order_id, for_update=for_update)
    if fulfilment is None or (
        fulfilment.merchant_id != merchant_id and merchant_id not in fulfilment.rejected_by
    ):
        raise OrderNotFound(f"order {order_id} is not known")
    return fulfilment


async def _step(
    session: AsyncSession, order_id: str, merchant_id: uuid.UUID, action: str
) -> tuple[Fulfilment, bool]:
    """Apply ``action`` if legal; (order, False) when it already happened (an idempotent repeat)."""
    fulfilment = await of_merchant(session, order_id, merchant_id, for_update=True)
    transition = TRANSITIONS[action]
    if fulfilment.merchant_id == merchant_id and getattr(fulfilment, transition.stamp) is not None:
        return fulfilment, False
    current = merchant_view_status(fulfilment, merchant_id)
    if fulfilment.merchant_id != merchant_id or fulfilment.status not in transition.from_:
        raise IllegalTransition(f"cannot {action} an order that is {current}", status_now=current)
    fulfilment.status = transition.to
    setattr(fulfilment, transition.stamp, datetime.now(UTC))
    return fulfilment, True


async def accept(session: AsyncSession, order_id: str, merchant_id: uuid.UUID, data: Accept) -> Fulfilment:
    fulfilment, changed = await _step(session, order_id, merchant_id, "accept")
    if changed:
        assert fulfilment.accepted_at is not None
        assert fulfilment.contract_id is not None
        contract = await merchants.get_contract(session, fulfilment.contract_id)
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


async def reject(session: AsyncSession, order_id: str, merchant_id: uuid.UUID, data: Reject) -> Fulfilment:
    """The merchant declines: recorded, emitted, and the order goes to the next best merchant."""
    fulfilment = await of_merchant(session, order_id, merchant_id, for_update=True)
    if merchant_id in fulfilment.rejected_by:
        return fulfilment
    if fulfilment.status != FulfilmentStatus.DISPATCHED:
        raise IllegalTransition(
            f"cannot reject an order that is {fulfilment.status}", status_now=fulfilment.status
        )
    now = datetime.now(UTC)
    fulfilment.rejected_by = [*fulfilment.rejected_by, merchant_id]
    fulfilment.reason = data.reason
    await session.flush()
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


async def arrive(session: AsyncSession, order_id: str, merchant_id: uuid.UUID) -> Fulfilment:
    fulfilment, _ = await _step(session, order_id, merchant_id, "arrive")
    await session.flush()
    return fulfilment


async def start(session: AsyncSession, order_id: str, merchant_id: uuid.UUID) -> Fulfilment:
    fulfilment, changed = await _step(session, order_id, merchant_id, "start")
    if changed:
        assert fulfilment.started_at is not None
        await session.flush()
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


async def complete(
    session: AsyncSession, order_id: str, merchant_id: uuid.UUID, data: Complete
) -> Fulfilment:
    fulfilment, changed = await _step(session, order_id, merchant_id, "complete")
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


async def fail(session: AsyncSession, order_id: str, merchant_id: uuid.UUID, data: Fail) -> Fulfilment:
    fulfilment, changed = await _step(session, order_id, merchant_id, "fail")
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
