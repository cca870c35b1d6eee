from __future__ import annotations

import uuid
from datetime import timedelta

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page, next_cursor
from fastapi import APIRouter, status

from merchant_svc.auth import (
    KEY_SUBJECT_PREFIX,
    OpsDep,
    OpsOrMerchantDep,
    ServiceDep,
    ensure_merchant_access,
)
from merchant_svc.config import SettingsDep
from merchant_svc.merchants import service
from merchant_svc.merchants.models import MerchantStatus
from merchant_svc.merchants.schemas import (
    ApiKeyIdentity,
    ApiKeyIssued,
    ApiKeyRead,
    ApiKeyVerify,
    ContractCreate,
    ContractRead,
    MerchantApiKeyCreate,
    MerchantCreate,
    MerchantRead,
    MerchantStatusChange,
)
from merchant_svc.pii import CipherDep
from merchant_svc.users import service as users
from merchant_svc.users.models import MerchantRole

router = APIRouter(prefix="/merchants", tags=["merchants"])
keys_router = APIRouter(prefix="/merchant-api-keys", tags=["merchants"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MerchantRead)
async def create_merchant(
    data: MerchantCreate, session: SessionDep, _: OpsDep, cipher: CipherDep
) -> MerchantRead:
    """Onboard a merchant (pending until ops activate it)."""
    return service.read(cipher, await service.create(session, cipher, data))


@router.get("", response_model=Page[MerchantRead])
async def list_merchants(
    session: SessionDep,
    _: OpsDep,
    cipher: CipherDep,
    status: MerchantStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MerchantRead]:
    """Merchants, oldest first (ops)."""
    rows = await service.list_page(session, status=status, cursor=cursor, limit=limit)
    return Page(
        items=[service.read(cipher, m) for m in rows[:limit]],
        next_cursor=next_cursor(rows, limit, lambda m: (m.created_at, m.id)),
    )


@router.get("/{merchant_id}", response_model=MerchantRead)
async def get_merchant(
    merchant_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep, cipher: CipherDep
) -> MerchantRead:
    """One merchant (ops, or the merchant itself)."""
    ensure_merchant_access(principal, merchant_id)
    return service.read(cipher, await service.get(session, merchant_id))


@router.post("/{merchant_id}/status", response_model=MerchantRead)
async def change_merchant_status(
    merchant_id: uuid.UUID, data: MerchantStatusChange, session: SessionDep, _: OpsDep, cipher: CipherDep
) -> MerchantRead:
    """Activate, suspend or terminate a merchant (ops)."""
    return service.read(cipher, await service.change_status(session, merchant_id, data.status, data.reason))


@router.post("/{merchant_id}/contracts", status_code=status.HTTP_201_CREATED, response_model=ContractRead)
async def add_contract(
    merchant_id: uuid.UUID, data: ContractCreate, session: SessionDep, _: OpsDep
) -> ContractRead:
    """Sign a contract: services, regions, unit price, term, SLA (ops)."""
    return ContractRead.model_validate(await service.add_contract(session, merchant_id, data))


@router.get("/{merchant_id}/contracts", response_model=list[ContractRead])
async def list_contracts(
    merchant_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> list[ContractRead]:
    """A merchant's contracts."""
    ensure_merchant_access(principal, merchant_id)
    return [ContractRead.model_validate(c) for c in await service.contracts_of(session, merchant_id)]


@router.post("/{merchant_id}/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyIssued)
async def issue_api_key(
    merchant_id: uuid.UUID,
    data: MerchantApiKeyCreate,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    cipher: CipherDep,
) -> ApiKeyIssued:
    """Issue an API key to a user (by default the integration user); the key is in this answer only."""
    ensure_merchant_access(principal, merchant_id)
    await users.ensure_may_manage_keys(session, principal, data.merchant_user_id)
    if data.merchant_user_id is not None:
        owner = await users.get(session, merchant_id, data.merchant_user_id)
    else:
        owner = await users.integration_user(session, cipher, merchant_id, principal.subject)
    api_key, key = await service.issue_key(session, merchant_id, owner.id, data.label)
    return ApiKeyIssued.model_validate({**ApiKeyRead.model_validate(api_key).model_dump(), "key": key})


@router.get("/{merchant_id}/api-keys", response_model=list[ApiKeyRead])
async def list_api_keys(
    merchant_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> list[ApiKeyRead]:
    """Every API key of the merchant, with whose it is (never the keys themselves)."""
    ensure_merchant_access(principal, merchant_id)
    return [ApiKeyRead.model_validate(k) for k in await service.keys_of(session, merchant_id)]


@router.post("/{merchant_id}/api-keys/{key_id}/rotate", response_model=ApiKeyIssued)
async def rotate_api_key(
    merchant_id: uuid.UUID,
    key_id: uuid.UUID,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    settings: SettingsDep,
    cipher: CipherDep,
) -> ApiKeyIssued:
    """Issue a successor key to the same user; the old one keeps working for the overlap window."""
    ensure_merchant_access(principal, merchant_id)
    old = await service.key_of(session, merchant_id, key_id)
    await users.ensure_may_manage_keys(session, principal, old.merchant_user_id)
    owner_id = old.merchant_user_id
    if owner_id is None:  # a key from before merchant users: its successor is the integration user's
        owner_id = (await users.integration_user(session, cipher, merchant_id, principal.subject)).id
    overlap = timedelta(seconds=settings.api_key_rotation_overlap_s)
    api_key, key = await service.rotate_key(session, old, owner_id, overlap)
    return ApiKeyIssued.model_validate({**ApiKeyRead.model_validate(api_key).model_dump(), "key": key})


@router.post("/{merchant_id}/api-keys/{key_id}/revoke", response_model=ApiKeyRead)
async def revoke_api_key(
    merchant_id: uuid.UUID, key_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> ApiKeyRead:
    """Revoke a key at once."""
    ensure_merchant_access(principal, merchant_id)
    api_key = await service.key_of(session, merchant_id, key_id)
    await users.ensure_may_manage_keys(session, principal, api_key.merchant_user_id)
    return ApiKeyRead.model_validate(await service.revoke_key(session, api_key))


@keys_router.post("/verify", response_model=ApiKeyIdentity)
async def verify_api_key(data: ApiKeyVerify, session: SessionDep, _: ServiceDep) -> ApiKeyIdentity:
    """Who a presented key belongs to (the gateway, role ``service``); 401 otherwise."""
    verified = await service.verify_key(session, data.key)
    return ApiKeyIdentity(
        merchant_id=verified.merchant.id,
        name=verified.merchant.name,
        status=MerchantStatus(verified.merchant.status),
        api_key_id=verified.api_key.id,
        merchant_user_id=verified.api_key.merchant_user_id,
        user_role=MerchantRole(verified.user.role) if verified.user is not None else None,
        subject=f"{KEY_SUBJECT_PREFIX}{verified.api_key.id}",
        expires_at=verified.api_key.expires_at,
    )
