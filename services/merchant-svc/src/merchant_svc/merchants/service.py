"""Merchants: onboarding, status, contracts and API keys."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cheyou_events.catalogue.merchant import MerchantApiKeyRevoked, MerchantSuspended
from cheyou_kit.masking import mask_name, mask_phone
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.eventing import publish
from merchant_svc.merchants import repository
from merchant_svc.merchants.errors import (
    ApiKeyNotFound,
    ApiKeyRevoked,
    IllegalMerchantStatus,
    InvalidApiKey,
    MerchantNameTaken,
    MerchantNotFound,
)
from merchant_svc.merchants.models import ApiKey, Candidate, Category, Contract, Merchant, MerchantStatus
from merchant_svc.merchants.schemas import ContractCreate, MerchantCreate, MerchantRead
from merchant_svc.pii import PiiCipher
from merchant_svc.users.models import MerchantUser

KEY_PREFIX = "cyk_"
OWNER = "merchant"
"""What a merchant's ciphertexts are bound to, with the merchant's id."""

# Who may move to which status; a terminated merchant stays terminated.
TRANSITIONS: dict[MerchantStatus, frozenset[MerchantStatus]] = {
    MerchantStatus.PENDING: frozenset({MerchantStatus.ACTIVE, MerchantStatus.TERMINATED}),
    MerchantStatus.ACTIVE: frozenset({MerchantStatus.SUSPENDED, MerchantStatus.TERMINATED}),
    MerchantStatus.SUSPENDED: frozenset({MerchantStatus.ACTIVE, MerchantStatus.TERMINATED}),
    MerchantStatus.TERMINATED: frozenset(),
}


async def create(session: AsyncSession, cipher: PiiCipher, data: MerchantCreate) -> Merchant:
    if await repository.get_by_name(session, data.name) is not None:
        raise MerchantNameTaken(f"name: {data.name!r} is taken", field="name")
    merchant_id = uuid.uuid4()
    merchant = Merchant(
        id=merchant_id,
        name=data.name,
        category=data.category,
        status=MerchantStatus.PENDING,
        contact_name_cipher=cipher.encrypt(OWNER, merchant_id, "contact_name", data.contact_name)
        if data.contact_name
        else None,
        contact_phone_cipher=cipher.encrypt(OWNER, merchant_id, "contact_phone", data.contact_phone)
        if data.contact_phone
        else None,
        city_codes=sorted(set(data.city_codes)),
    )
    await repository.add(session, merchant)
    await session.refresh(merchant)
    return merchant


def read(cipher: PiiCipher, merchant: Merchant) -> MerchantRead:
    """The merchant as shown anywhere: its contact's name and phone masked."""
    name, phone = merchant.contact_name_cipher, merchant.contact_phone_cipher
    return MerchantRead(
        id=merchant.id,
        name=merchant.name,
        category=Category(merchant.category),
        status=MerchantStatus(merchant.status),
        status_reason=merchant.status_reason,
        contact_name=mask_name(cipher.decrypt(OWNER, merchant.id, "contact_name", name)) if name else None,
        contact_phone=mask_phone(cipher.decrypt(OWNER, merchant.id, "contact_phone", phone))
        if phone
        else None,
        city_codes=merchant.city_codes,
        score=merchant.score,
        created_at=merchant.created_at,
    )


async def get(session: AsyncSession, merchant_id: uuid.UUID, *, for_update: bool = False) -> Merchant:
    merchant = await repository.get(session, merchant_id, for_update=for_update)
    if merchant is None:
        raise MerchantNotFound(f"merchant {merchant_id} is not known")
    return merchant


async def list_page(
    session: AsyncSession, *, status: MerchantStatus | None, cursor: str | None, limit: int
) -> list[Merchant]:
    return await repository.list_page(session, status=status, cursor=cursor, limit=limit)


async def change_status(
    session: AsyncSession,
    merchant_id: uuid.UUID,
    status: MerchantStatus,
    reason: str,
    *,
    case_id: uuid.UUID | None = None,
) -> Merchant:
    merchant = await get(session, merchant_id, for_update=True)
    current = MerchantStatus(merchant.status)
    if current == status:
        return merchant
    if status not in TRANSITIONS[current]:
        raise IllegalMerchantStatus(f"status: a {current} merchant cannot become {status}", field="status")
    merchant.status = status
    merchant.status_reason = reason
    if status == MerchantStatus.SUSPENDED:
        payload = MerchantSuspended(
            merchant_id=str(merchant.id),
            reason=reason,
            case_id=str(case_id) if case_id else None,
            suspended_at=datetime.now(UTC),
        )
        await publish(session, payload)
    await session.flush()
    return merchant


async def add_contract(session: AsyncSession, merchant_id: uuid.UUID, data: ContractCreate) -> Contract:
    merchant = await get(session, merchant_id)
    if merchant.status == MerchantStatus.TERMINATED:
        raise IllegalMerchantStatus("a terminated merchant cannot sign a contract")
    contract = Contract(
        merchant_id=merchant.id,
        privilege_ids=sorted(set(data.privilege_ids)),
        city_codes=sorted(set(data.city_codes)),
        unit_price_fen=data.unit_price_fen,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        accept_within_minutes=data.accept_within_minutes,
        complete_within_minutes=data.complete_within_minutes,
        max_open_orders=data.max_open_orders,
    )
    await repository.add(session, contract)
    return contract


async def contracts_of(session: AsyncSession, merchant_id: uuid.UUID) -> list[Contract]:
    await get(session, merchant_id)
    return await repository.contracts_of(session, merchant_id)


async def contract(session: AsyncSession, contract_id: uuid.UUID) -> Contract:
    """A contract by id (a fulfilment's: never deleted)."""
    return await repository.get_contract(session, contract_id)


async def dispatch_candidates(
    session: AsyncSession, *, privilege_id: str, city_code: str, on: date, exclude: list[uuid.UUID]
) -> list[Candidate]:
    """Active merchants with a contract in force for the service and the city on ``on``, with their open
    orders; none of ``exclude``."""
    return await repository.dispatch_candidates(
        session, privilege_id=privilege_id, city_code=city_code, on=on, exclude=exclude
    )


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def issue_key(
    session: AsyncSession, merchant_id: uuid.UUID, user_id: uuid.UUID, label: str
) -> tuple[ApiKey, str]:
    """A new key ``cyk_<prefix>_<32 random bytes>`` for a user of the merchant; only its SHA-256 is stored."""
    merchant = await get(session, merchant_id)
    if merchant.status == MerchantStatus.TERMINATED:
        raise IllegalMerchantStatus("a terminated merchant gets no API key")
    prefix = secrets.token_hex(4)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    key = f"{KEY_PREFIX}{prefix}_{secret}"
    api_key = ApiKey(
        merchant_id=merchant.id, merchant_user_id=user_id, label=label, prefix=prefix, key_hash=hash_key(key)
    )
    await repository.add(session, api_key)
    await session.refresh(api_key)
    return api_key, key


async def keys_of(
    session: AsyncSession, merchant_id: uuid.UUID, user_id: uuid.UUID | None = None
) -> list[ApiKey]:
    await get(session, merchant_id)
    return await repository.keys_of(session, merchant_id, user_id)


async def key_of(session: AsyncSession, merchant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    """One of the merchant's keys, locked for a change; 404 for another merchant's."""
    api_key = await repository.get_key(session, key_id, for_update=True)
    if api_key is None or api_key.merchant_id != merchant_id:
        raise ApiKeyNotFound(f"API key {key_id} is not known")
    return api_key


async def _announce_key_end(session: AsyncSession, api_key: ApiKey, reason: str, at: datetime) -> None:
    """Tell the gateway, which caches verified keys, to forget this one (``merchant.events``)."""
    payload = MerchantApiKeyRevoked(
        merchant_id=str(api_key.merchant_id),
        api_key_id=str(api_key.id),
        reason="rotated" if reason == "rotated" else "revoked",
        effective_at=at,
    )
    await publish(session, payload)


async def revoke_key(session: AsyncSession, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = datetime.now(UTC)
        await _announce_key_end(session, api_key, "revoked", api_key.revoked_at)
        await session.flush()
    return api_key


async def rotate_key(
    session: AsyncSession, old: ApiKey, user_id: uuid.UUID, overlap: timedelta
) -> tuple[ApiKey, str]:
    """A successor for ``user_id`` with the same label; the old key keeps working for ``overlap``."""
    if old.revoked_at is not None:
        raise ApiKeyRevoked(f"API key {old.id} is revoked; issue a new one instead")
    expires_at = datetime.now(UTC) + overlap
    if old.expires_at is None or old.expires_at > expires_at:
        old.expires_at = expires_at
    await _announce_key_end(session, old, "rotated", old.expires_at)
    return await issue_key(session, old.merchant_id, user_id, old.label)


@dataclass(frozen=True)
class Verified:
    merchant: Merchant
    api_key: ApiKey
    user: MerchantUser | None


async def verify_key(session: AsyncSession, key: str) -> Verified:
    """Who a presented key belongs to; 401 for an unknown, revoked or expired key, or a disabled user's."""
    now = datetime.now(UTC)
    found = await repository.key_by_hash(session, hash_key(key), now) if key.startswith(KEY_PREFIX) else None
    if found is None:
        raise InvalidApiKey("the API key is unknown, revoked or expired")
    api_key, merchant, user = found
    if merchant.status == MerchantStatus.TERMINATED:
        raise InvalidApiKey("the merchant's contract is terminated")
    await repository.touch_key(session, api_key.id, now)
    return Verified(merchant, api_key, user)


async def set_score(session: AsyncSession, merchant_id: uuid.UUID, score: float) -> None:
    await repository.set_score(session, merchant_id, score)
