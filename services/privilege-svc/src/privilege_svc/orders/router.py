from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Header, status
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.auth import acting_member, listed_member, order_cancelled_by
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
from privilege_svc.payments import flows as payment_flows
from privilege_svc.payments import service as payments
from privilege_svc.payments.dependencies import PaymentWindowDep, WechatPayDep

router = APIRouter(prefix="/orders", tags=["orders"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)]


async def _read(session: AsyncSession, orders: list[ServiceOrder]) -> list[OrderRead]:
    """The orders as their members read them, each with where its money stands."""
    summaries = await payments.summaries(session, order_ids=[o.id for o in orders if o.price_fen > 0])
    return [OrderRead.model_validate(o).model_copy(update={"payment": summaries.get(o.id)}) for o in orders]


@router.post("", response_model=OrderRead, status_code=status.HTTP_201_CREATED)
async def book(
    body: OrderCreate,
    session: SessionDep,
    principal: PrincipalDep,
    window: PaymentWindowDep,
    idempotency_key: IdempotencyKey = None,
) -> OrderRead:
    """Book a privilege (the same Idempotency-Key and body return the first booking); an order with a
    price awaits its payment (``POST /payments``) and is dispatched once WeChat Pay confirms it."""
    order = await service.book(
        session, acting_member(principal), body, idempotency_key=idempotency_key, payment_window=window
    )
    return (await _read(session, [order]))[0]


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
    rows = await service.list_orders(session, listed_member(principal, member_id), status, cursor, limit)
    return Page(items=await _read(session, list(rows.rows)), next_cursor=rows.next_cursor)


@router.get("/{order_id}", response_model=OrderRead)
async def get_order(order_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> OrderRead:
    """One order (its member, or staff)."""
    return (await _read(session, [await service.get_visible(session, order_id, principal, for_update=True)]))[
        0
    ]


@router.post("/{order_id}/cancel", response_model=OrderRead)
async def cancel(
    order_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    client: WechatPayDep,
    body: CancelRequest | None = None,
) -> OrderRead:
    """Cancel before the service starts (the member, or ops); quota and held points are released, an
    unpaid order's WeChat Pay payment closed, a paid one refunded as its terms say."""
    order = await service.get_visible(session, order_id, principal, for_update=True)
    by = order_cancelled_by(principal)
    reason = (body or CancelRequest()).reason
    cancelled = await payment_flows.cancel_order(
        session, client, order, by=by, reason=reason, now=datetime.now(UTC)
    )
    return (await _read(session, [cancelled]))[0]


@router.post("/{order_id}/rating", response_model=OrderRead)
async def rate(
    order_id: uuid.UUID, body: RatingCreate, session: SessionDep, principal: PrincipalDep
) -> OrderRead:
    """The member rates a completed order (1–5 stars, a comment)."""
    acting_member(principal)
    order = await service.get_visible(session, order_id, principal, for_update=True)
    return (await _read(session, [await service.rate(session, order, body)]))[0]


@router.post("/{order_id}/complaints", response_model=ComplaintRead, status_code=status.HTTP_201_CREATED)
async def complain(
    order_id: uuid.UUID, body: ComplaintCreate, session: SessionDep, principal: PrincipalDep
) -> ComplaintRead:
    """The member complains about the service; merchant-svc opens an accountability case."""
    acting_member(principal)
    order = await service.get_visible(session, order_id, principal, for_update=True)
    return ComplaintRead.model_validate(await service.complain(session, order, body))
