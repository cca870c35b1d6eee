"""Merchant users: the people (and the server) acting for a merchant, who may do what, and who acted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cheyou_events.fieldcrypt import BlindIndex
from cheyou_kit.auth import OPERATORS, Principal, merchant_of
from cheyou_kit.masking import mask_name, mask_phone
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.auth import key_of, user_of
from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.errors import IllegalMerchantStatus, InvalidApiKey
from merchant_svc.merchants.models import Merchant, MerchantStatus
from merchant_svc.pii import PiiCipher
from merchant_svc.users import repository
from merchant_svc.users.errors import MerchantUserInactive, MerchantUserNotFound, NotPermitted, PhoneTaken
from merchant_svc.users.models import MerchantRole, MerchantUser, MerchantUserStatus
from merchant_svc.users.schemas import (
    MerchantUserCreate,
    MerchantUserRead,
    MerchantUserStanding,
    MerchantUserUpdate,
)

INTEGRATION_NAME = "API integration"
OWNER = "merchant-user"
"""What a user's ciphertexts are bound to, with the user's id."""
# What each role may do through the merchant API besides reading; merchant_admin may do everything.
TAKES_ORDERS = frozenset({MerchantRole.MERCHANT_ADMIN, MerchantRole.DISPATCHER, MerchantRole.INTEGRATION})
# Webhook endpoints carry the signing secrets: the merchant's administrators and its server only.
MANAGES_WEBHOOKS = frozenset({MerchantRole.MERCHANT_ADMIN, MerchantRole.INTEGRATION})


@dataclass(frozen=True)
class Actor:
    """Who, at a merchant, is calling: the user and key when the gateway names the key, else only the
    merchant (a key from before merchant users, or a gateway that does not pass the key on)."""

    merchant_id: uuid.UUID
    subject: str
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    role: MerchantRole | None = None

    def ensure_takes_orders(self) -> None:
        if self.role is not None and self.role not in TAKES_ORDERS:
            raise NotPermitted(f"a {self.role} may not accept or reject orders")


async def actor_of(session: AsyncSession, principal: Principal) -> Actor:
    """The calling merchant user; 401 when the named key was revoked, expired or its user disabled
    since the gateway verified it (the gateway caches verifications for a minute)."""
    merchant_id = merchant_of(principal)
    if (user_id := user_of(principal)) is not None:
        return await _signed_in_actor(session, principal, merchant_id, user_id)
    key_id = key_of(principal)
    if key_id is None:
        return Actor(merchant_id=merchant_id, subject=principal.subject)
    found = await repository.key_with_user(session, key_id)
    if found is None or found[0].merchant_id != merchant_id:
        raise InvalidApiKey("the API key is unknown")
    api_key, user = found
    now = datetime.now(UTC)
    if (
        api_key.revoked_at is not None
        or (api_key.expires_at is not None and api_key.expires_at <= now)
        or (user is not None and user.status != MerchantUserStatus.ACTIVE)
    ):
        raise InvalidApiKey("the API key is revoked or expired, or its user is disabled")
    return Actor(
        merchant_id=merchant_id,
        subject=principal.subject,
        user_id=api_key.merchant_user_id,
        api_key_id=api_key.id,
        role=MerchantRole(user.role) if user is not None else None,
    )


async def _signed_in_actor(
    session: AsyncSession, principal: Principal, merchant_id: uuid.UUID, user_id: uuid.UUID
) -> Actor:
    """A merchant user signed in at the gateway: checked on every call (disabled, or the merchant
    suspended, since the sign-in: refused at once), with the role they have now."""
    found = await repository.with_merchant(session, user_id)
    if found is None or found[0].merchant_id != merchant_id or not _active(*found):
        raise MerchantUserInactive()
    return Actor(
        merchant_id=merchant_id,
        subject=principal.subject,
        user_id=user_id,
        role=MerchantRole(found[0].role),
    )


def _active(user: MerchantUser, merchant: Merchant) -> bool:
    return user.status == MerchantUserStatus.ACTIVE and merchant.status == MerchantStatus.ACTIVE


async def ensure_may_manage_webhooks(session: AsyncSession, principal: Principal) -> None:
    """Ops, a merchant_admin or the merchant's integration user (a key from before merchant users is the
    merchant's server); dispatchers and technicians may not see or change endpoints and their secrets."""
    if principal.role in OPERATORS:
        return
    actor = await actor_of(session, principal)
    if actor.role is not None and actor.role not in MANAGES_WEBHOOKS:
        raise NotPermitted(f"a {actor.role} may not manage webhook endpoints")


async def ensure_may_manage_users(session: AsyncSession, principal: Principal) -> None:
    """Ops, or a merchant_admin of the merchant (the merchant's first admin is created by ops)."""
    if principal.role in OPERATORS:
        return
    actor = await actor_of(session, principal)
    if actor.role != MerchantRole.MERCHANT_ADMIN:
        raise NotPermitted("only ops or a merchant_admin manage a merchant's users")


async def ensure_may_manage_keys(
    session: AsyncSession, principal: Principal, owner_id: uuid.UUID | None
) -> None:
    """Ops and a merchant_admin manage every key of the merchant; a user only their own. A caller the
    gateway does not name keeps what merchant keys could always do (manage the merchant's keys)."""
    if principal.role in OPERATORS:
        return
    actor = await actor_of(session, principal)
    if actor.role is None or actor.role == MerchantRole.MERCHANT_ADMIN:
        return
    if owner_id is None or actor.user_id != owner_id:
        raise NotPermitted("a merchant user manages only their own API keys")


def read(cipher: PiiCipher, user: MerchantUser) -> MerchantUserRead:
    phone = cipher.decrypt(OWNER, user.id, "phone", user.phone_cipher) if user.phone_cipher else None
    return MerchantUserRead(
        id=user.id,
        merchant_id=user.merchant_id,
        name=mask_name(cipher.decrypt(OWNER, user.id, "name", user.name_cipher)),
        phone=mask_phone(phone) if phone else None,
        role=MerchantRole(user.role),
        status=MerchantUserStatus(user.status),
        created_by=user.created_by,
        created_at=user.created_at,
    )


async def create(
    session: AsyncSession,
    cipher: PiiCipher,
    merchant_id: uuid.UUID,
    data: MerchantUserCreate,
    created_by: str,
    phone_index: BlindIndex | None = None,
) -> MerchantUser:
    merchant = await merchants.get(session, merchant_id)
    if merchant.status == MerchantStatus.TERMINATED:
        raise IllegalMerchantStatus("a terminated merchant gets no users")
    user_id = uuid.uuid4()
    user = MerchantUser(
        id=user_id,
        merchant_id=merchant_id,
        name_cipher=cipher.encrypt(OWNER, user_id, "name", data.name),
        role=data.role,
        status=MerchantUserStatus.ACTIVE,
        created_by=created_by,
    )
    if data.phone:
        await _set_phone(session, cipher, _index(phone_index), user, data.phone)
    await repository.add(session, user)
    await session.refresh(user)
    return user


async def get(
    session: AsyncSession, merchant_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
) -> MerchantUser:
    """One of the merchant's users; 404 for another merchant's."""
    user = await repository.get(session, user_id, for_update=for_update)
    if user is None or user.merchant_id != merchant_id:
        raise MerchantUserNotFound(f"merchant user {user_id} is not known")
    return user


async def list_page(
    session: AsyncSession, merchant_id: uuid.UUID, *, cursor: str | None, limit: int
) -> list[MerchantUser]:
    await merchants.get(session, merchant_id)
    return await repository.list_page(session, merchant_id, cursor=cursor, limit=limit)


async def update(
    session: AsyncSession,
    merchant_id: uuid.UUID,
    user_id: uuid.UUID,
    data: MerchantUserUpdate,
    cipher: PiiCipher,
    phone_index: BlindIndex,
) -> MerchantUser:
    """Change a user's role, status or phone; a disabled user's keys and sessions stop working at once."""
    user = await get(session, merchant_id, user_id, for_update=True)
    if data.role is not None:
        user.role = data.role
    if data.status is not None:
        user.status = data.status
    if data.phone is not None:
        await _set_phone(session, cipher, phone_index, user, data.phone)
    await session.flush()
    await session.refresh(user)
    return user


async def integration_user(
    session: AsyncSession, cipher: PiiCipher, merchant_id: uuid.UUID, created_by: str
) -> MerchantUser:
    """The merchant's server as a user: the owner of keys issued without naming a user."""
    await merchants.get(session, merchant_id, for_update=True)  # one integration user, even concurrently
    found = await repository.integration_user(session, merchant_id)
    if found is not None:
        return found
    data = MerchantUserCreate(name=INTEGRATION_NAME, role=MerchantRole.INTEGRATION)
    return await create(session, cipher, merchant_id, data, created_by)


def _index(phone_index: BlindIndex | None) -> BlindIndex:
    if phone_index is None:
        raise ValueError("a phone needs the phone index")
    return phone_index


async def _set_phone(
    session: AsyncSession, cipher: PiiCipher, phone_index: BlindIndex, user: MerchantUser, phone: str
) -> None:
    digest = phone_index.digest(phone)
    holder = await repository.by_phone_hash(session, digest)
    if holder is not None and holder.id != user.id:
        raise PhoneTaken()
    user.phone_cipher = cipher.encrypt(OWNER, user.id, "phone", phone)
    user.phone_hash = digest


async def standing(session: AsyncSession, user_id: uuid.UUID) -> MerchantUserStanding:
    """Whether the user may act now (the gateway asks at sign-in, refresh and, cached briefly, per call)."""
    found = await repository.with_merchant(session, user_id)
    if found is None:
        raise MerchantUserNotFound(f"merchant user {user_id} is not known")
    return _standing(*found)


async def standing_by_phone(
    session: AsyncSession, phone_index: BlindIndex, phone: str
) -> MerchantUserStanding:
    """The user who signs in with this phone (404 when none does)."""
    user = await repository.by_phone_hash(session, phone_index.digest(phone))
    if user is None:
        raise MerchantUserNotFound("no merchant user signs in with this phone")
    return await standing(session, user.id)


def _standing(user: MerchantUser, merchant: Merchant) -> MerchantUserStanding:
    return MerchantUserStanding(
        user_id=user.id,
        merchant_id=user.merchant_id,
        role=MerchantRole(user.role),
        status=MerchantUserStatus(user.status),
        merchant_status=merchant.status,
        active=_active(user, merchant),
    )
