from __future__ import annotations

import uuid

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page, next_cursor
from fastapi import APIRouter, status

from merchant_svc.auth import GATEWAY_ONLY, OpsOrMerchantDep, ServiceDep, ensure_merchant_access
from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.schemas import ApiKeyCreate, ApiKeyIssued, ApiKeyRead
from merchant_svc.pii import CipherDep, PhoneIndexDep
from merchant_svc.users import service
from merchant_svc.users.schemas import (
    MerchantUserCreate,
    MerchantUserRead,
    MerchantUserStanding,
    MerchantUserUpdate,
    StaffLookup,
)

router = APIRouter(prefix="/merchants/{merchant_id}/users", tags=["merchant users"])
staff_router = APIRouter(prefix="/merchant-users", tags=["merchant users"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MerchantUserRead)
async def create_user(
    merchant_id: uuid.UUID,
    data: MerchantUserCreate,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    cipher: CipherDep,
    phone_index: PhoneIndexDep,
) -> MerchantUserRead:
    """Add a user to the merchant (ops create the first merchant_admin; then a merchant_admin); with a
    phone, the user can sign in at the gateway with an SMS code."""
    ensure_merchant_access(principal, merchant_id)
    await service.ensure_may_manage_users(session, principal)
    user = await service.create(session, cipher, merchant_id, data, principal.subject, phone_index)
    return service.read(cipher, user)


@router.get("", response_model=Page[MerchantUserRead])
async def list_users(
    merchant_id: uuid.UUID,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    cipher: CipherDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MerchantUserRead]:
    """The merchant's users, oldest first, names and phones masked (ops, or the merchant itself)."""
    ensure_merchant_access(principal, merchant_id)
    rows = await service.list_page(session, merchant_id, cursor=cursor, limit=limit)
    return Page(
        items=[service.read(cipher, u) for u in rows[:limit]],
        next_cursor=next_cursor(rows, limit, lambda u: (u.created_at, u.id)),
    )


@router.get("/{user_id}", response_model=MerchantUserRead)
async def get_user(
    merchant_id: uuid.UUID,
    user_id: uuid.UUID,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    cipher: CipherDep,
) -> MerchantUserRead:
    """One of the merchant's users."""
    ensure_merchant_access(principal, merchant_id, "merchant user")
    return service.read(cipher, await service.get(session, merchant_id, user_id))


@router.patch("/{user_id}", response_model=MerchantUserRead)
async def update_user(
    merchant_id: uuid.UUID,
    user_id: uuid.UUID,
    data: MerchantUserUpdate,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    cipher: CipherDep,
    phone_index: PhoneIndexDep,
) -> MerchantUserRead:
    """Change a user's role or phone, or disable them (their keys and sessions stop working)."""
    ensure_merchant_access(principal, merchant_id, "merchant user")
    await service.ensure_may_manage_users(session, principal)
    return service.read(
        cipher, await service.update(session, merchant_id, user_id, data, cipher, phone_index)
    )


@router.post("/{user_id}/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyIssued)
async def issue_user_api_key(
    merchant_id: uuid.UUID,
    user_id: uuid.UUID,
    data: ApiKeyCreate,
    session: SessionDep,
    principal: OpsOrMerchantDep,
) -> ApiKeyIssued:
    """Issue an API key to the user; the key is in this answer only."""
    ensure_merchant_access(principal, merchant_id, "merchant user")
    await service.ensure_may_manage_keys(session, principal, user_id)
    user = await service.get(session, merchant_id, user_id)
    api_key, key = await merchants.issue_key(session, merchant_id, user.id, data.label)
    return ApiKeyIssued.model_validate({**ApiKeyRead.model_validate(api_key).model_dump(), "key": key})


@router.get("/{user_id}/api-keys", response_model=list[ApiKeyRead])
async def list_user_api_keys(
    merchant_id: uuid.UUID, user_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> list[ApiKeyRead]:
    """The user's API keys (never the keys themselves)."""
    ensure_merchant_access(principal, merchant_id, "merchant user")
    await service.ensure_may_manage_keys(session, principal, user_id)
    user = await service.get(session, merchant_id, user_id)
    return [ApiKeyRead.model_validate(k) for k in await merchants.keys_of(session, merchant_id, user.id)]


@staff_router.post("/lookup", response_model=MerchantUserStanding, openapi_extra=GATEWAY_ONLY)
async def lookup_by_phone(
    data: StaffLookup, session: SessionDep, _: ServiceDep, phone_index: PhoneIndexDep
) -> MerchantUserStanding:
    """The merchant user who signs in with this phone and whether they may (the gateway only); 404: none."""
    return await service.standing_by_phone(session, phone_index, data.phone)


@staff_router.get("/{user_id}/standing", response_model=MerchantUserStanding, openapi_extra=GATEWAY_ONLY)
async def user_standing(user_id: uuid.UUID, session: SessionDep, _: ServiceDep) -> MerchantUserStanding:
    """Whether a signed-in merchant user may still act (the gateway only)."""
    return await service.standing(session, user_id)
