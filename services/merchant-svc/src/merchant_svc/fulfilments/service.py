from __future__ import annotations

from cheyou_events.catalogue.privilege import PrivilegeOrderRequested
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.fulfilments import repository
from merchant_svc.fulfilments.models import Fulfilment

AWAITING_DISPATCH = "awaiting_dispatch"


async def record_request(session: AsyncSession, event: PrivilegeOrderRequested) -> None:
    await repository.add_if_absent(
        session,
        Fulfilment(
            order_id=event.order_id,
            member_id=event.member_id,
            privilege_id=event.privilege_id,
            city_code=event.city_code,
            price_fen=event.price_fen,
            appointment_at=event.appointment_at,
            status=AWAITING_DISPATCH,
            requested_at=event.requested_at,
        ),
    )


async def get(session: AsyncSession, order_id: str) -> Fulfilment | None:
    return await repository.get(session, order_id)
