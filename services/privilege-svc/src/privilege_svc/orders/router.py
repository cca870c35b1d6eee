from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.identity import Principal, PrincipalDep, Role
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Header, status
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.access import OPERATORS, acting_member, ensure_can_read_member
from privilege_svc.orders import service
from privilege_svc.orders.models import ServiceOrder
from privilege_svc.orders.schemas import (
    CancelRequest,
    ComplaintCreate,
    ComplaintRead,
    OrderCreate,
    OrderRead,
    OrderStatus,
    RatingCreate,
)

router = APIRouter(prefix="/orders", tags=["orders"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)]


async def _readable(session: AsyncSession, order_id: uuid.UUID, principal: Principal) -> ServiceOrder:
    """The order, if the caller may see it: someone else's order is "not found", like a missing one."""
    order = await service.get(session, order_id, for_update=True)
    if principal.role == Role.MEMBER and str(principal.member_id) != order.member_id:
        raise service.OrderNotFound(f"order {order_id} does not exist")
    ensure_can_read_member(principal, order.member_id)
    return order


@router.post("", response_model=OrderRead, status_code=status.HTTP_201_CREATED)
async def book(
    body: OrderCreate, session: SessionDep, principal: PrincipalDep, idempotency_key: IdempotencyKey = None
) -> OrderRead:
    """Book a privilege (the same Idempotency-Key and body return the first booking)."""
    order = await service.book(session, acting_member(principal), body, idempotency_key=idempotency_key)
    return OrderRead.model_validate(order)


@router.get("", response_model=Page[OrderRead])
async def list_orders(
    session: SessionDep,
    principal: PrincipalDep,
    member_id: str | None = None,
    status: OrderStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[OrderRead]:
    """Order history, newest first: a member's own, or (staff) any member's."""
    if principal.role == Role.MEMBER:
        member_id = member_id or str(principal.member_id)
    if member_id is not None:
        ensure_can_read_member(principal, member_id)
    else:
        ensure_can_read_member(principal, "")
    rows = await service.list_orders(session, member_id, status, cursor, limit)
    return rows.page(OrderRead.model_validate)


@router.get("/{order_id}", response_model=OrderRead)
async def get_order(order_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> OrderRead:
    """One order (its member, or staff)."""
    return OrderRead.model_validate(await _readable(session, order_id, principal))


@router.post("/{order_id}/cancel", response_model=OrderRead)
async def cancel(
    order_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, body: CancelRequest | None = None
) -> OrderRead:
    """Cancel before the service starts (the member, or ops); quota and held points are released."""
    order = await _readable(session, order_id, principal)
    if principal.role != Role.MEMBER and principal.role not in OPERATORS:
        raise service.OrderNotCancellable("only the member or ops can cancel an order")
    by: service.CancelledBy = "member" if principal.role == Role.MEMBER else "ops"
    reason = (body or CancelRequest()).reason
    return OrderRead.model_validate(await service.cancel(session, order, by=by, reason=reason))


@router.post("/{order_id}/rating", response_model=OrderRead)
async def rate(
    order_id: uuid.UUID, body: RatingCreate, session: SessionDep, principal: PrincipalDep
) -> OrderRead:
    """The member rates a completed order (1–5 stars, a comment)."""
    acting_member(principal)
    order = await _readable(session, order_id, principal)
    return OrderRead.model_validate(await service.rate(session, order, body))


@router.post("/{order_id}/complaints", response_model=ComplaintRead, status_code=status.HTTP_201_CREATED)
async def complain(
    order_id: uuid.UUID, body: ComplaintCreate, session: SessionDep, principal: PrincipalDep
) -> ComplaintRead:
    """The member complains about the service; merchant-svc opens an accountability case."""
    acting_member(principal)
    order = await _readable(session, order_id, principal)
    return ComplaintRead.model_validate(await service.complain(session, order, body))
