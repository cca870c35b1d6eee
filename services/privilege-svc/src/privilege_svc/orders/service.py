"""Booking a privilege and following the order through its fulfilment.

A booking runs in one transaction: tier terms checked, quota reserved under the usage row's lock,
points held, the order and ``order_requested`` written together. An order with a price waits for its
payment instead (``awaiting_payment``): ``order_requested`` is written when WeChat Pay's verified
notification says it is paid (:func:`settle_payment`), and it ``expire``s unpaid after the payment window.
Merchant events move the order forward only (an event arriving late never moves it back); completion
consumes the quota and awards points; cancellation before the service starts releases both, and refunds
a paid order as its terms say (all of it before a merchant accepted, ``refund_after_acceptance_pct``
after).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.merchant import (
    MerchantOrderAccepted,
    MerchantOrderCompleted,
    MerchantOrderInService,
    MerchantOrderRejected,
    MerchantOrderUnplaceable,
)
from cheyou_events.catalogue.privilege import (
    ComplaintFiled,
    PrivilegeOrderCancelled,
    PrivilegeOrderClosed,
    PrivilegeOrderRated,
    PrivilegeOrderRequested,
)
from cheyou_kit.auth import Principal
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.auth import ensure_can_read_own
from privilege_svc.entitlements import service as entitlements
from privilege_svc.eventing import publish
from privilege_svc.orders import repository
from privilege_svc.orders.errors import (
    AppointmentInThePast,
    IdempotencyKeyReused,
    MissingBookingField,
    OrderHasNoMerchant,
    OrderNotCancellable,
    OrderNotFound,
    OrderNotRateable,
    PrivilegeNotOffered,
)
from privilege_svc.orders.models import OrderComplaint, ServiceOrder
from privilege_svc.orders.schemas import ComplaintCreate, OrderCreate, RatingCreate
from privilege_svc.payments import service as payments
from privilege_svc.points import service as points
from privilege_svc.privileges import service as privileges
from privilege_svc.privileges.models import Privilege

log = logging.getLogger(__name__)

IN_HOUSE = "in_house"
"""The ``merchant_id`` of orders the insurer fulfils itself (fuel coupons, ...)."""
RANK = {"requested": 0, "accepted": 1, "in_service": 2, "completed": 3}
OPEN = frozenset({"requested", "accepted", "in_service"})
CANCELLABLE = frozenset({"awaiting_payment", "requested", "accepted"})
DEFAULT_PAYMENT_WINDOW = timedelta(minutes=15)
EXPIRED_REASON = "未在规定时间内支付，订单已关闭，额度和积分已退回"
REFUND_NOTE = "，已付款项将原路退回"
CancelledBy = Literal["member", "merchant", "ops", "system"]
UNPLACEABLE_REASONS: dict[str, str] = {
    "no_contracted_merchant": "当地暂无签约商户提供此项服务，额度和积分已退回",
    "merchant_unreachable": "暂时联系不上服务商户，额度和积分已退回",
    "all_rejected": "商户均无法接单，额度和积分已退回",
    "at_capacity": "商户服务已满，额度和积分已退回",
    "accept_deadline_missed": "没有商户在规定时间内接单，额度和积分已退回",
}
"""Why no merchant could take an order (``merchant.order_unplaceable``), as the member reads it."""


def fingerprint(body: OrderCreate) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


async def _bookable(session: AsyncSession, code: str) -> Privilege:
    privilege = await privileges.get_privilege_or_none(session, code)
    if privilege is None or not privilege.bookable:
        raise PrivilegeNotOffered(f"privilege_code: {code} cannot be booked", field="privilege_code")
    return privilege


async def book(
    session: AsyncSession,
    member_id: str,
    body: OrderCreate,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    payment_window: timedelta = DEFAULT_PAYMENT_WINDOW,
) -> ServiceOrder:
    """Book a privilege; the same ``idempotency_key`` with the same body returns the first order. A
    priced order awaits its payment for ``payment_window`` and is dispatched only once paid."""
    now = now or datetime.now(UTC)
    request_fingerprint = fingerprint(body)
    if idempotency_key is not None:
        await repository.lock_idempotency_key(session, member_id, idempotency_key)
        existing = await repository.by_idempotency_key(session, member_id, idempotency_key)
        if existing is not None:
            if existing.request_fingerprint != request_fingerprint:
                raise IdempotencyKeyReused(
                    "Idempotency-Key: already used with a different body", field="Idempotency-Key"
                )
            return existing
    privilege = await _bookable(session, body.privilege_code)
    tier, year_starts_on = await entitlements.member_tier_and_year(session, member_id)
    day = (body.appointment_at or now).astimezone(UTC).date()
    terms = await privileges.terms_of(session, privilege.code, tier)
    if terms is None or not entitlements.offered(terms, day):
        raise PrivilegeNotOffered(
            f"privilege_code: {privilege.code} is not offered to {tier} members", field="privilege_code"
        )
    for name in privilege.required_fields:
        if getattr(body, name, None) is None:
            raise MissingBookingField(f"{name}: {privilege.code} needs it", field=name)
    if body.appointment_at is not None and body.appointment_at <= now:
        raise AppointmentInThePast("appointment_at: must be in the future", field="appointment_at")
    period_start, _ = entitlements.period_bounds(terms.period, year_starts_on, day)
    await entitlements.reserve_quota(session, member_id, terms, period_start)
    price = terms.price_for(privilege.list_price_fen)
    order = ServiceOrder(
        id=uuid.uuid4(),
        member_id=member_id,
        privilege_code=privilege.code,
        tier=tier.value,
        terms_id=terms.id,
        status="awaiting_payment" if price > 0 else "requested",
        price_fen=price,
        payment_due_at=now + payment_window if price > 0 else None,
        points_held=terms.points_price,
        quota_period_start=period_start,
        city_code=body.city_code,
        appointment_at=body.appointment_at,
        pickup_address=body.pickup_address,
        destination_address=body.destination_address,
        vehicle_plate=body.vehicle_plate,
        flight_no=body.flight_no,
        notes=body.notes,
        service_point_id=str(body.service_point_id) if body.service_point_id else None,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
        created_at=now,
        updated_at=now,
    )
    if terms.points_price:
        hold = await points.debit(
            session,
            member_id,
            terms.points_price,
            "order_payment",
            source_key=f"order_hold:{order.id}",
            reference_id=str(order.id),
            now=now,
        )
        order.hold_entry_id = hold.id
    await repository.add(session, order)
    if order.status == "awaiting_payment":
        return order  # dispatched when WeChat Pay says it is paid (settle_payment)
    await _dispatch(session, order, privilege, tier, now)
    return order


async def _dispatch(
    session: AsyncSession, order: ServiceOrder, privilege: Privilege, tier: Tier, now: datetime
) -> None:
    if privilege.fulfilment == IN_HOUSE:
        # Fulfilled by the insurer at once (a fuel coupon): no merchant to wait for.
        await _complete(session, order, IN_HOUSE, None, now)
        return
    await publish(
        session,
        PrivilegeOrderRequested(
            order_id=str(order.id),
            member_id=order.member_id,
            privilege_id=privilege.code,
            price_fen=order.price_fen,
            points_held=order.points_held,
            city_code=order.city_code,
            appointment_at=order.appointment_at,
            requested_at=now,
            privilege_name=privilege.name,
            merchant_category=privilege.merchant_category,
            tier=tier,
            pickup_address=order.pickup_address,
            destination_address=order.destination_address,
            vehicle_plate=order.vehicle_plate,
            flight_no=order.flight_no,
            notes=order.notes,
            service_point_id=order.service_point_id,
        ),
    )


async def settle_payment(session: AsyncSession, order: ServiceOrder, paid_at: datetime) -> bool:
    """WeChat Pay says the order is paid: dispatch it. False when it no longer awaits payment (expired,
    cancelled, or paid by another payment): the caller refunds that payment."""
    if order.status != "awaiting_payment":
        return False
    now = datetime.now(UTC)
    order.status = "requested"
    order.paid_at = paid_at
    order.updated_at = now
    privilege = await privileges.get_privilege(session, order.privilege_code)
    await _dispatch(session, order, privilege, Tier(order.tier), now)
    return True


async def due_for_expiry(session: AsyncSession, now: datetime, limit: int) -> list[ServiceOrder]:
    """Unpaid orders past their payment window, locked (another replica skips them)."""
    return await repository.due_for_expiry(session, now, limit)


async def expire(session: AsyncSession, order: ServiceOrder, now: datetime) -> None:
    """The payment window passed unpaid: the order ends, its quota and points go back."""
    if order.status == "awaiting_payment":
        await _close_unfulfilled(session, order, "expired", "system", EXPIRED_REASON, now)


async def refund_owed(session: AsyncSession, order: ServiceOrder) -> int:
    """What a paid order gets back if cancelled now: all before a merchant accepted, the terms' share
    after (``refund_after_acceptance_pct``); nothing unpaid."""
    if order.paid_at is None or order.price_fen <= 0:
        return 0
    if order.status != "accepted":
        return order.price_fen
    terms = await privileges.terms_by_id(session, order.terms_id)
    pct = 100 if terms is None else terms.refund_after_acceptance_pct
    return order.price_fen * pct // 100


def import_historical(session: AsyncSession, order: ServiceOrder) -> None:
    """Add an order that happened before this service existed (demo data, a migration from the old club
    platform): no quota, points or events, it is history. Not flushed: a bulk import writes in batches."""
    session.add(order)


async def get(session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False) -> ServiceOrder:
    order = await repository.get(session, order_id, for_update=for_update)
    if order is None:
        raise OrderNotFound(f"order {order_id} does not exist")
    return order


async def get_visible(
    session: AsyncSession, order_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> ServiceOrder:
    """The order, if the caller may see it: someone else's order is "not found", like a missing one."""
    order = await get(session, order_id, for_update=for_update)
    ensure_can_read_own(principal, order.member_id, OrderNotFound(f"order {order_id} does not exist"))
    return order


async def list_orders(
    session: AsyncSession,
    member_id: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[ServiceOrder]:
    return await repository.list_orders(session, member_id, status, cursor, limit)


async def _release(session: AsyncSession, order: ServiceOrder, now: datetime) -> None:
    await entitlements.release_quota(session, order.member_id, order.privilege_code, order.quota_period_start)
    if order.hold_entry_id is not None:
        await points.reverse(session, order.hold_entry_id, "order_release", now=now)


async def cancel(
    session: AsyncSession,
    order: ServiceOrder,
    *,
    by: CancelledBy = "member",
    reason: str,
    now: datetime | None = None,
) -> ServiceOrder:
    """Cancel before the service starts: the quota and any held points go back, and a paid order is
    refunded as its terms say. An unpaid order's WeChat Pay attempts are closed first by the caller
    (``payments.flows.cancel_order``), so a payment under way cannot slip past the cancellation."""
    now = now or datetime.now(UTC)
    if order.status not in CANCELLABLE:
        raise OrderNotCancellable(f"order {order.id} is {order.status}")
    owed = await refund_owed(session, order)
    await _close_unfulfilled(session, order, "cancelled", by, reason + (REFUND_NOTE if owed else ""), now)
    await payments.refund_payable(session, owed, "cancelled", order_id=order.id, now=now)
    return order


async def _close_unfulfilled(
    session: AsyncSession, order: ServiceOrder, status: str, by: CancelledBy, reason: str, now: datetime
) -> None:
    await _release(session, order, now)
    order.status = status
    order.cancelled_at = now
    order.cancel_reason = reason
    order.updated_at = now
    await publish(
        session,
        PrivilegeOrderCancelled(
            order_id=str(order.id),
            member_id=order.member_id,
            cancelled_by=by,
            reason=reason,
            cancelled_at=now,
        ),
    )


async def _complete(
    session: AsyncSession, order: ServiceOrder, merchant_id: str, record_id: str | None, at: datetime
) -> None:
    await entitlements.consume_quota(session, order.member_id, order.privilege_code, order.quota_period_start)
    order.status = "completed"
    order.merchant_id = merchant_id
    order.service_record_id = record_id
    order.completed_at = at
    order.updated_at = at
    awarded = await points.award(
        session,
        "order_completed",
        order.member_id,
        f"order_completed:{order.id}",
        reference_id=str(order.id),
        now=at,
    )
    await publish(
        session,
        PrivilegeOrderClosed(
            order_id=str(order.id),
            member_id=order.member_id,
            merchant_id=merchant_id,
            points_awarded=awarded.points if awarded else 0,
            closed_at=at,
        ),
    )


async def _merchant_order(session: AsyncSession, order_id: str) -> ServiceOrder | None:
    try:
        ident = uuid.UUID(order_id)
    except ValueError:
        log.warning("merchant event for order %r, which is not one of ours", order_id)
        return None
    order = await repository.get(session, ident, for_update=True)
    if order is None:
        log.warning("merchant event for unknown order %s", order_id)
    return order


async def merchant_accepted(session: AsyncSession, event: MerchantOrderAccepted) -> None:
    order = await _merchant_order(session, event.order_id)
    if order is None or order.status not in OPEN or RANK[order.status] >= RANK["accepted"]:
        return
    order.status = "accepted"
    order.merchant_id = event.merchant_id
    order.accepted_at = event.accepted_at
    if event.appointment_at is not None:
        order.appointment_at = event.appointment_at
    order.updated_at = event.accepted_at


async def merchant_in_service(session: AsyncSession, event: MerchantOrderInService) -> None:
    order = await _merchant_order(session, event.order_id)
    if order is None or order.status not in OPEN or RANK[order.status] >= RANK["in_service"]:
        return
    order.status = "in_service"
    order.merchant_id = event.merchant_id
    order.started_at = event.started_at
    order.updated_at = event.started_at


async def merchant_completed(session: AsyncSession, event: MerchantOrderCompleted) -> None:
    order = await _merchant_order(session, event.order_id)
    if order is None:
        return
    if order.status not in OPEN:
        if order.status != "completed":
            log.warning("order %s completed by %s but it is %s", order.id, event.merchant_id, order.status)
        return
    await _complete(session, order, event.merchant_id, event.service_record_id, event.completed_at)


async def merchant_rejected(session: AsyncSession, event: MerchantOrderRejected) -> None:
    """A merchant declined: the order waits for merchant-svc to place it elsewhere."""
    order = await _merchant_order(session, event.order_id)
    if order is None or order.status not in ("requested", "accepted"):
        return
    order.status = "requested"
    order.merchant_id = None
    order.accepted_at = None
    order.last_rejection = f"{event.merchant_id}: {event.reason}"
    order.updated_at = event.rejected_at


async def merchant_unplaceable(session: AsyncSession, event: MerchantOrderUnplaceable) -> None:
    """No merchant can take it (none contracted, none reachable, all declined or full, or none accepted
    in time): the order ends, the member gets the quota and points back and reads why."""
    order = await _merchant_order(session, event.order_id)
    if order is None or order.status not in ("requested", "accepted"):
        return
    reason = UNPLACEABLE_REASONS.get(event.reason, event.reason)
    owed = order.price_fen if order.paid_at is not None else 0
    reason += REFUND_NOTE if owed else ""
    await _close_unfulfilled(session, order, "unplaceable", "system", reason, event.failed_at)
    await payments.refund_payable(session, owed, "cancelled", order_id=order.id, now=event.failed_at)


async def rate(session: AsyncSession, order: ServiceOrder, rating: RatingCreate) -> ServiceOrder:
    """The member rates a completed order once; merchant-svc keeps it on the merchant's record."""
    if order.status != "completed" or order.rated_at is not None:
        raise OrderNotRateable(f"order {order.id} is {order.status}{' and rated' if order.rated_at else ''}")
    now = datetime.now(UTC)
    order.rating_stars = rating.stars
    order.rating_comment = rating.comment
    order.rated_at = now
    order.updated_at = now
    await publish(
        session,
        PrivilegeOrderRated(
            order_id=str(order.id),
            member_id=order.member_id,
            merchant_id=order.merchant_id or IN_HOUSE,
            stars=rating.stars,
            comment=rating.comment,
            rated_at=now,
        ),
    )
    await points.award(
        session,
        "order_rating",
        order.member_id,
        f"order_rating:{order.id}",
        reference_id=str(order.id),
        now=now,
    )
    return order


async def complain(session: AsyncSession, order: ServiceOrder, body: ComplaintCreate) -> OrderComplaint:
    """File a complaint; merchant-svc opens an accountability case on the merchant."""
    if order.merchant_id is None:
        raise OrderHasNoMerchant(f"order {order.id} has no merchant to complain about")
    complaint = OrderComplaint(
        id=uuid.uuid4(),
        order_id=order.id,
        member_id=order.member_id,
        merchant_id=order.merchant_id,
        category=body.category,
        description=body.description,
        filed_at=datetime.now(UTC),
    )
    await repository.add_complaint(session, complaint)
    await publish(
        session,
        ComplaintFiled(
            complaint_id=str(complaint.id),
            order_id=str(order.id),
            member_id=order.member_id,
            merchant_id=order.merchant_id,
            category=body.category,
            filed_at=complaint.filed_at,
        ),
    )
    return complaint
