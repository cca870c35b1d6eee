"""Merchant API keys, verified by merchant-svc; good answers are cached briefly, bad ones for seconds.

A cached good answer is forgotten at once when merchant-svc says the key was revoked or rotated, or its
merchant suspended (``merchant.events``, see ``merchants/handlers.py``), and never outlives the key's own
``expires_at`` (a rotated key's overlap). The cache is indexed by key id and by merchant for that.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
import weakref
from datetime import UTC, datetime

from cheyou_kit.dependencies import REDIS_UNREACHABLE, degraded
from cheyou_kit.identity import Principal, Role
from redis.asyncio import Redis

from gateway.errors import BadGateway
from gateway.merchants.errors import InvalidApiKey, MerchantSuspended
from gateway.upstreams.clients import GATEWAY_PRINCIPAL, Upstream

_REFUSED = b"-"


# The key caches of this process (one per running app): the merchant.events handlers reach them here.
_RUNNING: weakref.WeakSet[MerchantKeys] = weakref.WeakSet()


def running_key_caches() -> list[MerchantKeys]:
    return list(_RUNNING)


class MerchantKeys:
    def __init__(
        self, redis: Redis, merchant_svc: Upstream, ttl_seconds: int, negative_ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._merchant_svc = merchant_svc
        self._ttl = ttl_seconds
        self._negative_ttl = negative_ttl_seconds
        _RUNNING.add(self)

    async def verify(self, key: str) -> Principal:
        if not key or len(key) > 512:
            raise InvalidApiKey()
        cache_key = f"gw:mkey:{hashlib.sha256(key.encode()).hexdigest()}"
        try:
            cached = await self._redis.get(cache_key)
            cache_up = True
        except REDIS_UNREACHABLE as exc:  # the cache is down: merchant-svc answers every request
            degraded("merchant_key_cache", "fallback", exc)
            cached, cache_up = None, False
        if cached == _REFUSED:
            raise InvalidApiKey()
        if cached is not None:
            answer = json.loads(cached)
        else:
            response = await self._merchant_svc.request(
                "POST", "/api/v1/merchant-api-keys/verify", principal=GATEWAY_PRINCIPAL, json={"key": key}
            )
            if response.status_code in (401, 403, 404):
                if cache_up:
                    await self._redis.set(cache_key, _REFUSED, ex=self._negative_ttl)
                raise InvalidApiKey()
            if response.status_code != 200:
                raise BadGateway(f"merchant-svc answered {response.status_code} when verifying a key")
            answer = response.json()
            if cache_up:
                await self._remember(cache_key, answer)
        expires_at = answer.get("expires_at")
        if expires_at and datetime.fromisoformat(expires_at) <= datetime.now(UTC):
            if cache_up:
                await self._redis.delete(cache_key)
            raise InvalidApiKey()
        if answer.get("status", "active") != "active":
            raise MerchantSuspended()
        merchant_id = uuid.UUID(str(answer["merchant_id"]))
        # merchant-svc names the key (``merchant-key:<id>``) so it knows which merchant user acted;
        # answers cached before it did so fall back to the merchant.
        subject = str(answer.get("subject") or f"merchant:{merchant_id}")
        user_id = answer.get("merchant_user_id")
        return Principal(
            subject=subject,
            role=Role.MERCHANT,
            merchant_id=merchant_id,
            merchant_user_id=uuid.UUID(str(user_id)) if user_id else None,
            merchant_role=answer.get("user_role"),
        )

    def stop(self) -> None:
        """The app is stopping: events are no longer this cache's to act on."""
        _RUNNING.discard(self)

    async def _remember(self, cache_key: str, answer: dict[str, object]) -> None:
        ttl = self._ttl
        expires_at = answer.get("expires_at")
        if isinstance(expires_at, str):
            left = (datetime.fromisoformat(expires_at) - datetime.now(UTC)).total_seconds()
            ttl = max(1, min(ttl, math.ceil(left)))
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(cache_key, json.dumps(answer), ex=ttl)
            if answer.get("api_key_id"):
                pipe.set(_by_key(str(answer["api_key_id"])), cache_key, ex=ttl)
            merchant = _by_merchant(str(answer["merchant_id"]))
            pipe.sadd(merchant, cache_key)
            pipe.expire(merchant, self._ttl)
            await pipe.execute()

    async def forget_key(self, api_key_id: str) -> None:
        """merchant-svc revoked or rotated the key: verify it again on its next use."""
        cache_key = await self._redis.get(_by_key(api_key_id))
        keys = [_by_key(api_key_id)]
        if cache_key is not None:
            keys.append(cache_key.decode() if isinstance(cache_key, bytes) else str(cache_key))
        await self._redis.delete(*keys)

    async def forget_merchant(self, merchant_id: str) -> None:
        """The merchant was suspended: every one of its keys is verified again on its next use."""
        members = await self._redis.smembers(_by_merchant(merchant_id))
        keys = [_by_merchant(merchant_id)]
        keys += [m.decode() if isinstance(m, bytes) else str(m) for m in members]
        await self._redis.delete(*keys)


def _by_key(api_key_id: str) -> str:
    return f"gw:mkey-id:{api_key_id}"


def _by_merchant(merchant_id: str) -> str:
    return f"gw:mkey-merchant:{merchant_id}"
