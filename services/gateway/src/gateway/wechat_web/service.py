"""States of WeChat web authorization: random, single use, short-lived, bound to the browser that asked.

The browser asks for an authorize URL; the gateway draws a ``state`` (it travels through WeChat and back
on the redirect URL, so anyone may see it) and a ``verifier`` (it stays in the browser's sessionStorage
and reaches only our API). Redis keeps, under the state, the SHA-256 of the verifier and the redirect
URI, for ``GATEWAY_WECHAT_STATE_TTL_SECONDS``. The sign-in takes the state out of Redis (so it is used
once, right or wrong) and requires the matching verifier: a code and state planted on a victim's browser
(login CSRF) fail because that browser does not hold the verifier, with or without the H5's own check.
No cookies: the front ends use bearer tokens only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from redis.asyncio import Redis

from gateway.config import Settings
from gateway.wechat_web.errors import InvalidRedirect, InvalidState

SCOPES = frozenset({"snsapi_base", "snsapi_userinfo"})


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    verifier: str
    redirect_uri: str
    expires_in: int


def _key(state: str) -> str:
    return f"gw:wxstate:{state}"


def _digest(verifier: str) -> str:
    return hashlib.sha256(verifier.encode()).hexdigest()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def redirect_uri_for(settings: Settings, redirect: str) -> str:
    """The absolute URL on one of our public origins for a path (on the canonical origin) or a URL."""
    if any(ord(c) < 0x20 or c in "\\#" for c in redirect) or len(redirect) > 2048:
        raise InvalidRedirect("no control characters, backslashes or fragment", field="redirect")
    origins = [_origin(base) for base in settings.public_base_urls]
    if redirect.startswith("/") and not redirect.startswith("//"):
        return origins[0] + redirect
    try:
        parts = urlsplit(redirect)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise InvalidRedirect("not a URL", field="redirect") from exc
    if parts.scheme in ("http", "https") and _origin(redirect) in origins and not parts.username:
        return redirect
    raise InvalidRedirect(
        "give a path (/h5/…) or a URL on this site's origins", field="redirect", origins=origins
    )


async def authorize(redis: Redis, settings: Settings, redirect: str, scope: str) -> Authorization:
    redirect_uri = redirect_uri_for(settings, redirect)
    state, verifier = secrets.token_hex(16), secrets.token_urlsafe(32)
    record = {"verifier": _digest(verifier), "redirect_uri": redirect_uri}
    await redis.set(_key(state), json.dumps(record), ex=settings.wechat_state_ttl_seconds)
    query = urlencode(
        {
            "appid": settings.wechat_appid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
    )
    url = f"{settings.wechat_authorize_base_url}/connect/oauth2/authorize?{query}#wechat_redirect"
    return Authorization(url, state, verifier, redirect_uri, settings.wechat_state_ttl_seconds)


async def consume(redis: Redis, state: str, verifier: str) -> str:
    """Spend the state (whatever follows); its redirect URI when the verifier matches."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.get(_key(state))
        pipe.delete(_key(state))
        stored, _ = await pipe.execute()
    if stored is None:
        raise InvalidState()
    record = json.loads(stored)
    if not hmac.compare_digest(str(record["verifier"]), _digest(verifier)):
        raise InvalidState("the state belongs to another browser")
    return str(record["redirect_uri"])
