from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.pagination import decode_cursor
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.merchants.models import ApiKey, Merchant
from merchant_svc.users.models import MerchantRole, MerchantUser


async def add(session: AsyncSession, user: MerchantUser) -> None:
    session.add(user)
    await session.flush()


async def get(session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False) -> MerchantUser | None:
    return await session.get(MerchantUser, user_id, with_for_update=for_update, populate_existing=for_update)


async def list_page(
    session: AsyncSession, merchant_id: uuid.UUID, *, cursor: str | None, limit: int
) -> list[MerchantUser]:
    query = (
        select(MerchantUser)
        .where(MerchantUser.merchant_id == merchant_id)
        .order_by(MerchantUser.created_at, MerchantUser.id)
        .limit(limit + 1)
    )
    if (after := decode_cursor(cursor, datetime.fromisoformat, uuid.UUID)) is not None:
        query = query.where(
            or_(
                MerchantUser.created_at > after[0],
                and_(MerchantUser.created_at == after[0], MerchantUser.id > after[1]),
            )
        )
    return list((await session.execute(query)).scalars())


async def integration_user(session: AsyncSession, merchant_id: uuid.UUID) -> MerchantUser | None:
    query = (
        select(MerchantUser)
        .where(MerchantUser.merchant_id == merchant_id, MerchantUser.role == MerchantRole.INTEGRATION)
        .order_by(MerchantUser.created_at)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def key_with_user(
    session: AsyncSession, key_id: uuid.UUID
) -> tuple[ApiKey, MerchantUser | None] | None:
    query = (
        select(ApiKey, MerchantUser)
        .outerjoin(MerchantUser, MerchantUser.id == ApiKey.merchant_user_id)
        .where(ApiKey.id == key_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def by_phone_hash(session: AsyncSession, phone_hash: str) -> MerchantUser | None:
    query = select(MerchantUser).where(MerchantUser.phone_hash == phone_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def with_merchant(session: AsyncSession, user_id: uuid.UUID) -> tuple[MerchantUser, Merchant] | None:
    query = (
        select(MerchantUser, Merchant)
        .join(Merchant, Merchant.id == MerchantUser.merchant_id)
        .where(MerchantUser.id == user_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None
