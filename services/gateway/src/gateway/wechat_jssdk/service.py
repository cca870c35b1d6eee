"""JS-SDK signing: the signature of ``wx.config`` for a page URL, and the jsapi_ticket it needs.

The ticket comes from ``/cgi-bin/ticket/getticket?type=jsapi`` with the account's access token; both live
7200 s and are shared by every replica through Redis, refreshed five minutes before they expire, by one
replica at a time (a Redis lock; the others wait and read what it stored). The access token is the
*stable* one (``POST /cgi-bin/stable_token``): every consumer of the account gets the same token, so the
gateway never invalidates the one notify-svc holds (``/cgi-bin/token`` hands out a new token each call).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import string
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from redis.asyncio import Redis
from redis.exceptions import LockError

from gateway.config import Settings
from gateway.errors import BadGateway, ServiceUnavailable
from gateway.wechat_jssdk.errors import UrlNotOurs

log = logging.getLogger(__name__)

TICKET_KEY = "gw:wechat:jsapi-ticket"
TOKEN_KEY = "gw:wechat:stable-access-token"
LOCK_KEY = "gw:wechat:jsapi-ticket:lock"
EARLY_SECONDS = 300
"""Refresh this long before WeChat's expiry, so a signature never uses a ticket about to lapse."""
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
_NONCE_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class SignedConfig:
    app_id: str
    timestamp: int
    nonce_str: str
    signature: str
    url: str


def signature(jsapi_ticket: str, noncestr: str, timestamp: int, url: str) -> str:
    """The JS-SDK's signature: SHA-1 of the four fields, keys in ASCII order, exactly this format."""
    text = f"jsapi_ticket={jsapi_ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode()).hexdigest()  # SHA-1: the JS-SDK's algorithm, not our choice


def page_url(settings: Settings, url: str) -> str:
    """The page URL to sign: one of our origins, without its fragment (WeChat signs it without)."""
    url = url.split("#", 1)[0]
    if any(ord(c) < 0x21 for c in url):
        raise UrlNotOurs("the URL has spaces or control characters: encode it", field="url")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise UrlNotOurs("not a URL", field="url") from exc
    origins = {_origin(base) for base in settings.public_base_urls}
    if parts.scheme not in ("http", "https") or parts.username is not None or _origin(url) not in origins:
        raise UrlNotOurs("the URL is not on this site's origins", field="url", origins=sorted(origins))
    return url


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


async def sign(redis: Redis, http: httpx.AsyncClient, settings: Settings, url: str) -> SignedConfig:
    url = page_url(settings, url)
    ticket = await jsapi_ticket(redis, http, settings)
    timestamp = int(time.time())
    nonce = "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(16))
    return SignedConfig(
        settings.wechat_appid, timestamp, nonce, signature(ticket, nonce, timestamp, url), url
    )


async def jsapi_ticket(redis: Redis, http: httpx.AsyncClient, settings: Settings) -> str:
    """The cached ticket; when there is none, one replica fetches it while the others wait for it."""
    cached = await redis.get(TICKET_KEY)
    if cached is not None:
        return _text(cached)
    try:
        async with redis.lock(LOCK_KEY, timeout=15, blocking_timeout=15):
            cached = await redis.get(TICKET_KEY)
            if cached is not None:
                return _text(cached)
            token = await _access_token(redis, http, settings, force=False)
            answer = await _get_ticket(http, settings, token)
            if answer.get("errcode") in TOKEN_ERRORS:
                token = await _access_token(redis, http, settings, force=True)
                answer = await _get_ticket(http, settings, token)
            ticket = answer.get("ticket")
            if answer.get("errcode") or not isinstance(ticket, str) or not ticket:
                log.warning("WeChat getticket: errcode %s %s", answer.get("errcode"), answer.get("errmsg"))
                raise BadGateway(f"WeChat answered errcode {answer.get('errcode')} for a JS-SDK ticket")
            await redis.set(TICKET_KEY, ticket, ex=_ttl(answer))
            return ticket
    except LockError as exc:
        raise ServiceUnavailable("the JS-SDK ticket is being refreshed; try again", retry_after=1) from exc


async def _access_token(redis: Redis, http: httpx.AsyncClient, settings: Settings, *, force: bool) -> str:
    """The account's stable access token (called under the ticket lock)."""
    if not force and (cached := await redis.get(TOKEN_KEY)) is not None:
        return _text(cached)
    answer = await _call(
        http,
        "POST",
        f"{settings.wechat_api_base_url.rstrip('/')}/cgi-bin/stable_token",
        json={
            "grant_type": "client_credential",
            "appid": settings.wechat_appid,
            "secret": settings.wechat_secret.get_secret_value(),
            "force_refresh": force,
        },
    )
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        log.warning("WeChat stable_token: errcode %s %s", answer.get("errcode"), answer.get("errmsg"))
        raise BadGateway(f"WeChat answered errcode {answer.get('errcode')} for an access token")
    await redis.set(TOKEN_KEY, token, ex=_ttl(answer))
    return token


async def _get_ticket(http: httpx.AsyncClient, settings: Settings, token: str) -> dict[str, Any]:
    return await _call(
        http,
        "GET",
        f"{settings.wechat_api_base_url.rstrip('/')}/cgi-bin/ticket/getticket",
        params={"access_token": token, "type": "jsapi"},
    )


async def _call(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        answer = (await http.request(method, url, **kwargs)).json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("WeChat could not be reached: %r", exc)
        raise BadGateway("WeChat could not be reached") from exc
    if not isinstance(answer, dict):
        raise BadGateway("WeChat answered something unexpected")
    return answer


def _ttl(answer: dict[str, Any]) -> int:
    try:
        expires_in = int(answer.get("expires_in", 7200))
    except (TypeError, ValueError):
        expires_in = 7200
    return max(60, expires_in - EARLY_SECONDS)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
