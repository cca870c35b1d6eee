from __future__ import annotations

import uuid

from cheyou_kit.db import SessionDep
from fastapi import APIRouter

from merchant_svc.access import MerchantDep, OpsDep, merchant_of
from merchant_svc.fulfilments import service
from merchant_svc.fulfilments.models import Fulfilment, FulfilmentStatus
from merchant_svc.fulfilments.schemas import Accept, Complete, Fail, FulfilmentRead, MerchantOrderRead, Reject
from merchant_svc.pagination import CursorQuery, LimitQuery, Page, encode_cursor

router = APIRouter(prefix="/fulfilments", tags=["fulfilments"])
merchant_api = APIRouter(prefix="/merchant-api/orders", tags=["merchant API"])


def _page(rows: list[Fulfilment], limit: int) -> str | None:
    last = rows[limit - 1] if len(rows) > limit else None
    return encode_cursor(last.created_at, last.order_id) if last else None


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


@router.get("/{order_id}", response_model=FulfilmentRead)
async def get_fulfilment(order_id: str, session: SessionDep, _: OpsDep) -> FulfilmentRead:
    """One fulfilment and its timeline (ops)."""
    return FulfilmentRead.model_validate(await service.get(session, order_id))


def _view(fulfilment: Fulfilment, merchant_id: uuid.UUID) -> MerchantOrderRead:
    view = MerchantOrderRead.model_validate(fulfilment)
    return view.model_copy(update={"status": service.merchant_view_status(fulfilment, merchant_id)})


@merchant_api.get("", response_model=Page[MerchantOrderRead])
async def list_my_orders(
    session: SessionDep,
    principal: MerchantDep,
    status: FulfilmentStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MerchantOrderRead]:
    """The calling merchant's orders (polling alternative to webhooks)."""
    merchant_id = merchant_of(principal)
    rows = await service.list_page(
        session, merchant_id=merchant_id, status=status, cursor=cursor, limit=limit
    )
    return Page(items=[_view(f, merchant_id) for f in rows[:limit]], next_cursor=_page(rows, limit))


@merchant_api.get("/{order_id}", response_model=MerchantOrderRead)
async def get_my_order(order_id: str, session: SessionDep, principal: MerchantDep) -> MerchantOrderRead:
    """One of the calling merchant's orders."""
    merchant_id = merchant_of(principal)
    return _view(await service.of_merchant(session, order_id, merchant_id), merchant_id)


@merchant_api.post("/{order_id}/accept", response_model=MerchantOrderRead)
async def accept(
    order_id: str, data: Accept, session: SessionDep, principal: MerchantDep
) -> MerchantOrderRead:
    """Accept a dispatched order (idempotent)."""
    merchant_id = merchant_of(principal)
    return _view(await service.accept(session, order_id, merchant_id, data), merchant_id)


@merchant_api.post("/{order_id}/reject", response_model=MerchantOrderRead)
async def reject(
    order_id: str, data: Reject, session: SessionDep, principal: MerchantDep
) -> MerchantOrderRead:
    """Decline a dispatched order; it goes to another merchant (idempotent)."""
    merchant_id = merchant_of(principal)
    return _view(await service.reject(session, order_id, merchant_id, data), merchant_id)


@merchant_api.post("/{order_id}/arrive", response_model=MerchantOrderRead)
async def arrive(order_id: str, session: SessionDep, principal: MerchantDep) -> MerchantOrderRead:
    """Report arrival at the member (idempotent)."""
    merchant_id = merchant_of(principal)
    return _view(await service.arrive(session, order_id, merchant_id), merchant_id)


@merchant_api.post("/{order_id}/start", response_model=MerchantOrderRead)
async def start(order_id: str, session: SessionDep, principal: MerchantDep) -> MerchantOrderRead:
    """Report that the service started (idempotent)."""
    merchant_id = merchant_of(principal)
    return _view(await service.start(session, order_id, merchant_id), merchant_id)


@merchant_api.post("/{order_id}/complete", response_model=MerchantOrderRead)
async def complete(
    order_id: str, data: Complete, session: SessionDep, principal: MerchantDep
) -> MerchantOrderRead:
    """Report the service done, with notes and photos as evidence (idempotent)."""
    merchant_id = merchant_of(principal)
    return _view(await service.complete(session, order_id, merchant_id, data), merchant_id)


@merchant_api.post("/{order_id}/fail", response_model=MerchantOrderRead)
async def fail(order_id: str, data: Fail, session: SessionDep, principal: MerchantDep) -> MerchantOrderRead:
    """Report that an accepted order cannot be carried out, with the reason (idempotent)."""
    merchant_id = merchant_of(principal)
    return _view(await service.fail(session, order_id, merchant_id, data), merchant_id)
