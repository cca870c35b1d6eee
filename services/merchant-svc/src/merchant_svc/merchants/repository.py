from __future__ import annotations

import uuid
from datetime import date, datetime

from cheyou_kit.pagination import decode_cursor
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.fulfilments.models import OPEN_STATUSES, Fulfilment
from merchant_svc.merchants.models import ApiKey, Candidate, Contract, Merchant, MerchantStatus
from merchant_svc.users.models import MerchantUser, MerchantUserStatus


async def add(session: AsyncSession, row: Merchant | Contract | ApiKey) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, merchant_id: uuid.UUID, *, for_update: bool = False) -> Merchant | None:
    return await session.get(Merchant, merchant_id, with_for_update=for_update)


async def get_by_name(session: AsyncSession, name: str) -> Merchant | None:
    return (await session.execute(select(Merchant).where(Merchant.name == name))).scalar_one_or_none()


async def list_page(
    session: AsyncSession, *, status: str | None, cursor: str | None, limit: int
) -> list[Merchant]:
    query = select(Merchant).order_by(Merchant.created_at, Merchant.id).limit(limit + 1)
    if status is not None:
        query = query.where(Merchant.status == status)
    if (after := decode_cursor(cursor, datetime.fromisoformat, uuid.UUID)) is not None:
        query = query.where(
            or_(
                Merchant.created_at > after[0],
                and_(Merchant.created_at == after[0], Merchant.id > after[1]),
            )
        )
    return list((await session.execute(query)).scalars())


async def set_score(session: AsyncSession, merchant_id: uuid.UUID, score: float) -> None:
    await session.execute(update(Merchant).where(Merchant.id == merchant_id).values(score=score))


async def contracts_of(session: AsyncSession, merchant_id: uuid.UUID) -> list[Contract]:
    query = select(Contract).where(Contract.merchant_id == merchant_id).order_by(Contract.created_at)
    return list((await session.execute(query)).scalars())


async def dispatch_candidates(
    session: AsyncSession, *, privilege_id: str, city_code: str, on: date, exclude: list[uuid.UUID]
) -> list[Candidate]:
    """Active merchants with a contract in force for the service and the city, with their open orders."""
    open_orders = (
        select(func.count())
        .select_from(Fulfilment)
        .where(Fulfilment.merchant_id == Merchant.id, Fulfilment.status.in_(list(OPEN_STATUSES)))
        .scalar_subquery()
    )
    query = (
        select(Merchant, Contract, open_orders)
        .join(Contract, Contract.merchant_id == Merchant.id)
        .where(
            Merchant.status == MerchantStatus.ACTIVE,
            Contract.privilege_ids.any_() == privilege_id,
            Contract.city_codes.any_() == city_code,
            Contract.starts_on <= on,
            Contract.ends_on >= on,
        )
    )
    if exclude:
        query = query.where(Merchant.id.not_in(exclude))
    rows = (await session.execute(query)).all()
    return [Candidate(merchant, contract, count) for merchant, contract, count in rows]


async def contracted_anywhere(session: AsyncSession, *, privilege_id: str, city_code: str, on: date) -> bool:
    """Whether any merchant (active or not) holds a contract in force for the service and city."""
    query = select(Contract.id).where(
        Contract.privilege_ids.any_() == privilege_id,
        Contract.city_codes.any_() == city_code,
        Contract.starts_on <= on,
        Contract.ends_on >= on,
    )
    return (await session.execute(query.limit(1))).first() is not None


async def get_key(session: AsyncSession, key_id: uuid.UUID, *, for_update: bool = False) -> ApiKey | None:
    return await session.get(ApiKey, key_id, with_for_update=for_update)


async def keys_of(
    session: AsyncSession, merchant_id: uuid.UUID, user_id: uuid.UUID | None = None
) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.merchant_id == merchant_id).order_by(ApiKey.created_at)
    if user_id is not None:
        query = query.where(ApiKey.merchant_user_id == user_id)
    return list((await session.execute(query)).scalars())


async def key_by_hash(
    session: AsyncSession, key_hash: str, now: datetime
) -> tuple[ApiKey, Merchant, MerchantUser | None] | None:
    """A key that is neither revoked nor expired and whose user (if any) is active, with its merchant."""
    query = (
        select(ApiKey, Merchant, MerchantUser)
        .join(Merchant, Merchant.id == ApiKey.merchant_id)
        .outerjoin(MerchantUser, MerchantUser.id == ApiKey.merchant_user_id)
        .where(
            ApiKey.key_hash == key_hash,
            ApiKey.revoked_at.is_(None),
            or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
            or_(ApiKey.merchant_user_id.is_(None), MerchantUser.status == MerchantUserStatus.ACTIVE),
        )
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1], row[2]) if row else None


async def touch_key(session: AsyncSession, key_id: uuid.UUID, now: datetime) -> None:
    # At most once a minute: verification is on the hot path of every merchant call.
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at < now - func.make_interval(0, 0, 0, 0, 0, 1),
            ),
        )
        .values(last_used_at=now)
    )


async def lock_seed(session: AsyncSession) -> None:
    await session.execute(select(func.pg_advisory_xact_lock(0x6D657263)))


async def get_contract(session: AsyncSession, contract_id: uuid.UUID) -> Contract:
    contract = await session.get(Contract, contract_id)
    assert contract is not None, "a fulfilment's contract is never deleted"
    return contract
