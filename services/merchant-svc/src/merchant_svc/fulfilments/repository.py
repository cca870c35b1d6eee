from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.fulfilments.models import Fulfilment


async def add_if_absent(session: AsyncSession, fulfilment: Fulfilment) -> None:
    values = {
        c.key: getattr(fulfilment, c.key) for c in Fulfilment.__table__.columns if c.key != "created_at"
    }
    await session.execute(insert(Fulfilment).values(**values).on_conflict_do_nothing())


async def get(session: AsyncSession, order_id: str) -> Fulfilment | None:
    return await session.get(Fulfilment, order_id)
