"""Who is calling: an access token (members, staff) or a merchant API key; then admission (rate
limits per address and per principal, and the token's revocation) in one Redis round trip."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from cheyou_kit.dependencies import REDIS_UNREACHABLE, degraded
from cheyou_kit.errors import Forbidden, ProblemError, Unauthorized
from cheyou_kit.identity import Principal, Role
from fastapi import Depends, Request

from gateway.merchant_staff import service as merchant_staff
from gateway.protection.client_address import client_address
from gateway.protection.rate_limits import Limit, hit
from gateway.runtime import runtime_of
from gateway.tokens.errors import InvalidToken, TokenRevoked
from gateway.tokens.service import revoked_key

API_KEY_HEADER = "x-api-key"
_UNKNOWN = object()


@dataclass(frozen=True)
class Caller:
    principal: Principal
    family: str | None  # the token's session family; None for API keys


def client_ip(request: Request) -> str:
    """The client's address: the peer, or the right-most hop of X-Forwarded-For our proxies wrote."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        runtime_of(request).settings.trusted_proxies,
    )


async def identify(request: Request) -> Caller | None:
    """The caller named by the request's credentials; None when it carries none."""
    runtime = runtime_of(request)
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("use `Authorization: Bearer <access token>`")
        session = runtime.tokens.decode(token.strip())
        principal = session.principal
        # A merchant user disabled (or their merchant suspended) since the sign-in: refused within seconds.
        if merchant_staff.is_signed_in_staff(principal):
            principal = await merchant_staff.current(runtime, principal)
        return Caller(principal, session.family)
    api_key = request.headers.get(API_KEY_HEADER)
    if api_key:
        return Caller(await runtime.merchant_keys.verify(api_key), None)
    return None


async def admit(request: Request, caller: Caller | None) -> None:
    """Count the request against the limits; refuse a signed-out session."""
    runtime = runtime_of(request)
    settings = runtime.settings
    limits = []
    if settings.rate_limits_enabled:
        limits.append(Limit("ip", client_ip(request), settings.rate_limit_per_ip))
        if caller is not None:
            limits.append(Limit("principal", caller.principal.subject, settings.rate_limit_per_principal))
    session_family = caller.family if caller is not None else None
    if not limits and session_family is None:
        return
    try:
        revoked = await hit(
            runtime.resources.redis,
            limits,
            also_exists=revoked_key(session_family) if session_family else None,
        )
    except REDIS_UNREACHABLE as exc:
        # Redis down (libs/kit/README.md, "When Redis is down"): the limits fail open — they protect
        # capacity, and refusing every request would be the outage itself; a signed-out session's
        # access token is accepted until it expires (GATEWAY_ACCESS_TOKEN_TTL_SECONDS, 15 min).
        if limits:
            degraded("rate_limits", "fail_open", exc)
        if session_family is not None:
            degraded("token_revocation", "fail_open", exc)
        return
    if revoked:
        raise TokenRevoked()


async def authenticate(request: Request) -> Caller | None:
    """Identify and admit, once per request."""
    # Read from the scope's state dict: getattr(request.state, …, default) raises and catches an
    # AttributeError on every request's first call (5 % of a forwarded request's CPU, issue 20).
    cached = request.scope.get("state", {}).get("caller", _UNKNOWN)
    if cached is not _UNKNOWN:
        assert cached is None or isinstance(cached, Caller)
        return cached
    try:
        caller = await identify(request)
    except ProblemError:
        await admit(request, None)  # bad credentials still count against the address: no free guessing
        raise
    await admit(request, caller)
    request.state.caller = caller
    return caller


async def optional_caller(request: Request) -> Caller | None:
    return await authenticate(request)


async def required_caller(request: Request) -> Caller:
    caller = await authenticate(request)
    if caller is None:
        raise Unauthorized("sign in first (Authorization: Bearer …) or send X-Api-Key")
    return caller


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]
CallerDep = Annotated[Caller, Depends(required_caller)]


def require_roles(*roles: Role) -> Callable[[Caller], Coroutine[Any, Any, Caller]]:
    allowed = frozenset(roles)

    async def dependency(caller: CallerDep) -> Caller:
        if caller.principal.role not in allowed:
            raise Forbidden(f"role {caller.principal.role} may not do this")
        return caller

    return dependency
