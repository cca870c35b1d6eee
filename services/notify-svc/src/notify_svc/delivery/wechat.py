"""Client of WeChat's template-message API, with the global access_token shared through Redis.

Every replica uses the token cached in Redis; on 40001/40014/42001 one of them refreshes it under a
Redis lock (the others find the new token when they get the lock) and the send is retried once. A replica
keeps the token it last read for :data:`LOCAL_TOKEN_SECONDS` instead of reading Redis before every
message (a campaign sends hundreds a second): WeChat keeps the old token valid for five minutes after a
refresh, and a token error makes the replica read the new one at once.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import httpx
from redis.asyncio import Redis

TOKEN_KEY = "notify:wechat:access_token"
LOCK_KEY = "notify:wechat:access_token:lock"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
NOT_FOLLOWING = frozenset({43004, 43101})
RETRYABLE = frozenset({-1, 45009, 45047})
LOCAL_TOKEN_SECONDS = 60.0


@dataclass(frozen=True)
class WeChatResult:
    errcode: int
    errmsg: str
    msgid: str | None = None

    @property
    def ok(self) -> bool:
        return self.errcode == 0


class WeChatTokenError(Exception):
    pass


class WeChatClient:
    def __init__(self, http: httpx.AsyncClient, redis: Redis, base_url: str, appid: str, secret: str) -> None:
        self._http, self._redis = http, redis
        self._base_url, self._appid, self._secret = base_url.rstrip("/"), appid, secret
        self._token: str | None = None
        self._token_read_at = -math.inf

    async def access_token(self) -> str:
        if self._token is not None and time.monotonic() - self._token_read_at < LOCAL_TOKEN_SECONDS:
            return self._token
        cached = await self._redis.get(TOKEN_KEY)
        if cached is None:
            return await self.refresh(stale=None)
        return self._remember(cached.decode() if isinstance(cached, bytes) else str(cached))

    def _remember(self, token: str) -> str:
        self._token, self._token_read_at = token, time.monotonic()
        return token

    async def refresh(self, stale: str | None) -> str:
        """Fetch a new token unless another replica already replaced ``stale``."""
        async with self._redis.lock(LOCK_KEY, timeout=15, blocking_timeout=15):
            current = await self._redis.get(TOKEN_KEY)
            if current is not None:
                token = current.decode() if isinstance(current, bytes) else str(current)
                if token != stale:
                    return self._remember(token)
            response = await self._http.get(
                f"{self._base_url}/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self._appid, "secret": self._secret},
            )
            body = response.json()
            if "access_token" not in body:
                raise WeChatTokenError(f"errcode {body.get('errcode')}: {body.get('errmsg')}")
            ttl = max(60, int(body.get("expires_in", 7200)) - 300)
            await self._redis.set(TOKEN_KEY, body["access_token"], ex=ttl)
            return self._remember(str(body["access_token"]))

    async def _post(self, token: str, message: dict[str, Any]) -> WeChatResult:
        try:
            response = await self._http.post(
                f"{self._base_url}/cgi-bin/message/template/send",
                params={"access_token": token},
                json=message,
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            return WeChatResult(-1, f"network: {type(error).__name__}")
        msgid = body.get("msgid")
        return WeChatResult(
            int(body.get("errcode", -1)), str(body.get("errmsg", "")), str(msgid) if msgid else None
        )

    async def send_template(self, openid: str, payload: dict[str, Any]) -> WeChatResult:
        message: dict[str, Any] = {
            "touser": openid,
            "template_id": payload["template_id"],
            "data": payload["data"],
        }
        if payload.get("url"):
            message["url"] = payload["url"]
        try:
            token = await self.access_token()
        except (httpx.HTTPError, ValueError, WeChatTokenError) as error:
            return WeChatResult(-1, f"token: {error}")
        result = await self._post(token, message)
        if result.errcode in TOKEN_ERRORS:
            try:
                token = await self.refresh(stale=token)
            except (httpx.HTTPError, ValueError, WeChatTokenError) as error:
                return WeChatResult(-1, f"token: {error}")
            result = await self._post(token, message)
        return result
