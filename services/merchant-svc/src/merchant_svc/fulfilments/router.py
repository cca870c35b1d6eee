from __future__ import annotations

import uuid

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page, next_cursor
from fastapi import APIRouter

from merchant_svc.auth import OpsDep
from merchant_svc.fulfilments import service
from merchant_svc.fulfilments.models import Fulfilment, FulfilmentStatus
from merchant_svc.fulfilments.schemas import (
    Accept,
    Complete,
    Fail,
    FulfilmentDetail,
    FulfilmentRead,
    HistoryEntryRead,
    MerchantOrderDetail,
    MerchantOrderRead,
    Reject,
)
from merchant_svc.users.auth import ActorDep

router = APIRouter(prefix="/fulfilments", tags=["fulfilments"])
merchant_api = APIRouter(prefix="/merchant-api/orders", tags=["merchant API"])


def _page(rows: list[Fulfilment], limit: int) -> str | None:
    return next_cursor(rows, limit, lambda f: (f.created_at, f.order_id))


@router.get("", response_model=Page[FulfilmentRead])
async def list_fulfilments(
    session: SessionDep,
    _: OpsDep,
    merchant_id: uuid.UUID | None = None,
    status: FulfilmentStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[FulfilmentRead]:
    """Fulfilments, oldest first, by merchant and status (ops)."""
    rows = await service.list_page(
        session, merchant_id=merchant_id, status=status, cursor=cursor, limit=limit
    )
    return Page(
        items=[FulfilmentRead.model_validate(f) for f in rows[:limit]], next_cursor=_page(rows, limit)
    )


@router.get("/{order_id}", response_model=FulfilmentDetail)
async def get_fulfilment(order_id: str, session: SessionDep, _: OpsDep) -> FulfilmentDetail:
    """One fulfilment, its timeline and history: each step and which merchant user's key took it (ops)."""
    fulfilment = await service.get(session, order_id)
    history = [HistoryEntryRead.model_validate(h) for h in await service.history_of(session, order_id)]
    return FulfilmentDetail(**FulfilmentRead.model_validate(fulfilment).model_dump(), history=history)


def _view(fulfilment: Fulfilment, merchant_id: uuid.UUID) -> MerchantOrderRead:
    status = service.merchant_view_status(fulfilment, merchant_id)
    if not service.held_by(fulfilment, merchant_id):
        # A merchant that rejected the order or let it lapse (answered again, idempotently) learns only that.
        return MerchantOrderRead(
            order_id=fulfilment.order_id,
            privilege_id=fulfilment.privilege_id,
            city_code=fulfilment.city_code,
            status=status,
            details={},
            evidence=None,
            unit_price_fen=None,
            appointment_at=None,
            dispatched_at=None,
            accept_due_at=None,
            accepted_at=None,
            complete_due_at=None,
            arrived_at=None,
            started_at=None,
            completed_at=None,
            failed_at=None,
        )
    view = MerchantOrderRead.model_validate(fulfilment)
    return view.model_copy(update={"status": status})


@merchant_api.get("", response_model=Page[MerchantOrderRead])
async def list_my_orders(
    session: SessionDep,
    actor: ActorDep,
    status: FulfilmentStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MerchantOrderRead]:
    """The calling merchant's orders (polling alternative to webhooks)."""
    merchant_id = actor.merchant_id
    rows = await service.list_page(
        session, merchant_id=merchant_id, status=status, cursor=cursor, limit=limit
    )
    return Page(items=[_view(f, merchant_id) for f in rows[:limit]], next_cursor=_page(rows, limit))


@merchant_api.get("/{order_id}", response_model=MerchantOrderDetail)
async def get_my_order(order_id: str, session: SessionDep, actor: ActorDep) -> MerchantOrderDetail:
    """One of the calling merchant's orders, with the steps taken at this merchant; 404 once it rejected
    the order or let it lapse."""
    merchant_id = actor.merchant_id
    view = _view(await service.held_by_merchant(session, order_id, merchant_id), merchant_id)
    history = [
        HistoryEntryRead.model_validate(h)
        for h in await service.history_of(session, order_id)
        if h.merchant_id == merchant_id
    ]
    return MerchantOrderDetail(**view.model_dump(), history=history)


@merchant_api.post("/{order_id}/accept", response_model=MerchantOrderRead)
async def accept(order_id: str, data: Accept, session: SessionDep, actor: ActorDep) -> MerchantOrderRead:
    """Accept a dispatched order (idempotent)."""
    return _view(await service.accept(session, order_id, actor, data), actor.merchant_id)


@merchant_api.post("/{order_id}/reject", response_model=MerchantOrderRead)
async def reject(order_id: str, data: Reject, session: SessionDep, actor: ActorDep) -> MerchantOrderRead:
    """Decline a dispatched order; it goes to another merchant (idempotent)."""
    return _view(await service.reject(session, order_id, actor, data), actor.merchant_id)


@merchant_api.post("/{order_id}/arrive", response_model=MerchantOrderRead)
async def arrive(order_id: str, session: SessionDep, actor: ActorDep) -> MerchantOrderRead:
    """Report arrival at the member (idempotent)."""
    return _view(await service.arrive(session, order_id, actor), actor.merchant_id)


@merchant_api.post("/{order_id}/start", response_model=MerchantOrderRead)
async def start(order_id: str, session: SessionDep, actor: ActorDep) -> MerchantOrderRead:
    """Report that the service started (idempotent)."""
    return _view(await service.start(session, order_id, actor), actor.merchant_id)


@merchant_api.post("/{order_id}/complete", response_model=MerchantOrderRead)
async def complete(order_id: str, data: Complete, session: SessionDep, actor: ActorDep) -> MerchantOrderRead:
    """Report the service done, with notes and photos as evidence (idempotent)."""
    return _view(await service.complete(session, order_id, actor, data), actor.merchant_id)


@merchant_api.post("/{order_id}/fail", response_model=MerchantOrderRead)
async def fail(order_id: str, data: Fail, session: SessionDep, actor: ActorDep) -> MerchantOrderRead:
    """Report that an accepted order cannot be carried out, with the reason (idempotent)."""
    return _view(await service.fail(session, order_id, actor, data), actor.merchant_id)
