from __future__ import annotations

import uuid
from datetime import timedelta

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, status

from merchant_svc.access import OpsDep, OpsOrMerchantDep, ServiceDep, ensure_merchant_access
from merchant_svc.config import SettingsDep
from merchant_svc.merchants import service
from merchant_svc.merchants.models import MerchantStatus
from merchant_svc.merchants.schemas import (
    ApiKeyCreate,
    ApiKeyIdentity,
    ApiKeyIssued,
    ApiKeyRead,
    ApiKeyVerify,
    ContractCreate,
    ContractRead,
    MerchantCreate,
    MerchantRead,
    MerchantStatusChange,
)
from merchant_svc.pagination import CursorQuery, LimitQuery, Page, encode_cursor

router = APIRouter(prefix="/merchants", tags=["merchants"])
keys_router = APIRouter(prefix="/merchant-api-keys", tags=["merchants"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MerchantRead)
async def create_merchant(data: MerchantCreate, session: SessionDep, _: OpsDep) -> MerchantRead:
    """Onboard a merchant (pending until ops activate it)."""
    return MerchantRead.model_validate(await service.create(session, data))


@router.get("", response_model=Page[MerchantRead])
async def list_merchants(
    session: SessionDep,
    _: OpsDep,
    status: MerchantStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MerchantRead]:
    """Merchants, oldest first (ops)."""
    rows = await service.list_page(session, status=status, cursor=cursor, limit=limit)
    items = [MerchantRead.model_validate(m) for m in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(items=items, next_cursor=encode_cursor(last.created_at, last.id) if last else None)


@router.get("/{merchant_id}", response_model=MerchantRead)
async def get_merchant(
    merchant_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> MerchantRead:
    """One merchant (ops, or the merchant itself)."""
    ensure_merchant_access(principal, merchant_id)
    return MerchantRead.model_validate(await service.get(session, merchant_id))


@router.post("/{merchant_id}/status", response_model=MerchantRead)
async def change_merchant_status(
    merchant_id: uuid.UUID, data: MerchantStatusChange, session: SessionDep, _: OpsDep
) -> MerchantRead:
    """Activate, suspend or terminate a merchant (ops)."""
    return MerchantRead.model_validate(
        await service.change_status(session, merchant_id, data.status, data.reason)
    )


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
    merchant_id: uuid.UUID, data: ApiKeyCreate, session: SessionDep, principal: OpsOrMerchantDep
) -> ApiKeyIssued:
    """Issue an API key; the key is in this answer only."""
    ensure_merchant_access(principal, merchant_id)
    api_key, key = await service.issue_key(session, merchant_id, data.label)
    return ApiKeyIssued.model_validate({**ApiKeyRead.model_validate(api_key).model_dump(), "key": key})


@router.get("/{merchant_id}/api-keys", response_model=list[ApiKeyRead])
async def list_api_keys(
    merchant_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> list[ApiKeyRead]:
    """A merchant's API keys (never the keys themselves)."""
    ensure_merchant_access(principal, merchant_id)
    return [ApiKeyRead.model_validate(k) for k in await service.keys_of(session, merchant_id)]


@router.post("/{merchant_id}/api-keys/{key_id}/rotate", response_model=ApiKeyIssued)
async def rotate_api_key(
    merchant_id: uuid.UUID,
    key_id: uuid.UUID,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    settings: SettingsDep,
) -> ApiKeyIssued:
    """Issue a successor key; the old one keeps working for the overlap window."""
    ensure_merchant_access(principal, merchant_id)
    overlap = timedelta(seconds=settings.api_key_rotation_overlap_s)
    api_key, key = await service.rotate_key(session, merchant_id, key_id, overlap)
    return ApiKeyIssued.model_validate({**ApiKeyRead.model_validate(api_key).model_dump(), "key": key})


@router.post("/{merchant_id}/api-keys/{key_id}/revoke", response_model=ApiKeyRead)
async def revoke_api_key(
    merchant_id: uuid.UUID, key_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> ApiKeyRead:
    """Revoke a key at once."""
    ensure_merchant_access(principal, merchant_id)
    return ApiKeyRead.model_validate(await service.revoke_key(session, merchant_id, key_id))


@keys_router.post("/verify", response_model=ApiKeyIdentity)
async def verify_api_key(data: ApiKeyVerify, session: SessionDep, _: ServiceDep) -> ApiKeyIdentity:
    """The merchant a presented key belongs to (the gateway, role ``service``); 401 otherwise."""
    merchant = await service.verify_key(session, data.key)
    return ApiKeyIdentity(merchant_id=merchant.id, name=merchant.name, status=MerchantStatus(merchant.status))
