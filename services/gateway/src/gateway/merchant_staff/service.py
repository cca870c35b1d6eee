"""Merchant staff sign-in: a phone merchant-svc knows, an SMS code of the ``merchant`` purpose (a member's
code never opens it), tokens whose principal is the merchant user; and the check that keeps their
sessions honest.

merchant-svc owns merchant users: the gateway asks it who signs in with a phone
(``POST /merchant-users/lookup``) and whether a user may still act (``GET /merchant-users/{id}/standing``),
as the service role, and never reads its tables. A signed-in user's requests are checked against that
standing, cached in Redis for ``GATEWAY_MERCHANT_STAFF_CHECK_SECONDS``: a user disabled or a merchant
suspended is refused within seconds on every route; merchant-svc also checks on each call it serves.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass

from cheyou_kit.dependencies import REDIS_UNREACHABLE, degraded
from cheyou_kit.identity import Principal, Role
from redis.asyncio import Redis

from gateway.auth import sms
from gateway.auth.otp import normalise_phone
from gateway.errors import BadGateway
from gateway.merchant_staff.errors import MerchantSessionEnded, MerchantUserInactive, NotAMerchantUser
from gateway.runtime import Runtime
from gateway.tokens.service import TokenPair
from gateway.upstreams.clients import GATEWAY_PRINCIPAL, Upstream

SUBJECT_PREFIX = "merchant-user:"
"""merchant-svc knows a signed-in user by this subject (``merchant_svc.auth.USER_SUBJECT_PREFIX``)."""


@dataclass(frozen=True)
class Standing:
    user_id: uuid.UUID
    merchant_id: uuid.UUID
    role: str
    active: bool


def _standing(answer: dict[str, object]) -> Standing:
    return Standing(
        user_id=uuid.UUID(str(answer["user_id"])),
        merchant_id=uuid.UUID(str(answer["merchant_id"])),
        role=str(answer["role"]),
        active=bool(answer["active"]),
    )


def _dump(found: Standing) -> dict[str, object]:
    return {
        "user_id": str(found.user_id),
        "merchant_id": str(found.merchant_id),
        "role": found.role,
        "active": found.active,
    }


async def lookup(merchant_svc: Upstream, phone: str) -> Standing | None:
    response = await merchant_svc.request(
        "POST", "/api/v1/merchant-users/lookup", principal=GATEWAY_PRINCIPAL, json={"phone": phone}
    )
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise BadGateway(f"merchant-svc answered {response.status_code} to a staff lookup")
    return _standing(response.json())


async def standing(merchant_svc: Upstream, user_id: uuid.UUID) -> Standing | None:
    response = await merchant_svc.request(
        "GET", f"/api/v1/merchant-users/{user_id}/standing", principal=GATEWAY_PRINCIPAL
    )
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise BadGateway(f"merchant-svc answered {response.status_code} to a standing check")
    return _standing(response.json())


def principal_of(found: Standing) -> Principal:
    return Principal(
        subject=f"{SUBJECT_PREFIX}{found.user_id}",
        role=Role.MERCHANT,
        merchant_id=found.merchant_id,
        merchant_user_id=found.user_id,
        merchant_role=found.role,
    )


async def send_code(runtime: Runtime, phone: str, client_ip: str) -> None:
    """The same answer whatever the phone: a code is drawn (and counted against the sending limits) for
    every well-formed number, and texted only to an active merchant user's."""
    settings = runtime.settings
    phone = normalise_phone(phone)
    code = await runtime.merchant_otp.issue(phone, client_ip)
    found = await lookup(runtime.upstreams["merchant-svc"], phone)
    if found is None or not found.active:
        return
    await sms.send_code(
        runtime.external,
        settings.sms_api_base_url,
        access_key_id=settings.sms_access_key_id,
        sign_name=settings.sms_sign_name,
        template_code=settings.sms_otp_template_code,
        phone=phone,
        code=code,
    )


async def sign_in(runtime: Runtime, phone: str, code: str) -> TokenPair:
    phone = normalise_phone(phone)
    await runtime.merchant_otp.consume(phone, code)
    found = await lookup(runtime.upstreams["merchant-svc"], phone)
    if found is None:
        raise NotAMerchantUser()
    if not found.active:
        raise MerchantUserInactive()
    return await runtime.tokens.issue(principal_of(found))


def _cache_key(user_id: uuid.UUID) -> str:
    return f"gw:mstaff:{user_id}"


async def current(runtime: Runtime, principal: Principal) -> Principal:
    """The signed-in merchant user as merchant-svc sees them now (cached for seconds); 401 when they may
    no longer act. Their role is the one they have now, not the one at sign-in."""
    assert principal.merchant_user_id is not None
    redis: Redis | None = runtime.resources.redis
    key = _cache_key(principal.merchant_user_id)
    try:
        cached = await runtime.resources.redis.get(key)
    except REDIS_UNREACHABLE as exc:  # the cache is down: ask merchant-svc every time (fresher, slower)
        degraded("merchant_staff_cache", "fallback", exc)
        cached, redis = None, None
    if cached is not None:
        found: Standing | None = _standing(json.loads(cached)) if cached != b"-" else None
    else:
        found = await standing(runtime.upstreams["merchant-svc"], principal.merchant_user_id)
        value = "-" if found is None else json.dumps(_dump(found))
        if redis is not None:
            with contextlib.suppress(*REDIS_UNREACHABLE):
                await redis.set(
                    key, value, px=max(1, int(runtime.settings.merchant_staff_check_seconds * 1000))
                )
    if found is None or not found.active or found.merchant_id != principal.merchant_id:
        raise MerchantSessionEnded()
    return principal.model_copy(update={"merchant_role": found.role})


async def may_refresh(runtime: Runtime, principal: Principal) -> bool:
    """A refresh asks merchant-svc afresh (no cache)."""
    assert principal.merchant_user_id is not None
    found = await standing(runtime.upstreams["merchant-svc"], principal.merchant_user_id)
    return found is not None and found.active and found.merchant_id == principal.merchant_id


def is_signed_in_staff(principal: Principal) -> bool:
    return (
        principal.role is Role.MERCHANT
        and principal.merchant_user_id is not None
        and principal.subject.startswith(SUBJECT_PREFIX)
    )
