"""Merchant API keys, verified by merchant-svc; good answers are cached briefly, bad ones for seconds."""

from __future__ import annotations

import hashlib
import json
import uuid

from cheyou_kit.errors import Forbidden, Unauthorized
from cheyou_kit.identity import Principal, Role
from redis.asyncio import Redis

from gateway.errors import BadGateway
from gateway.upstreams.clients import GATEWAY_PRINCIPAL, Upstream

_REFUSED = b"-"


class InvalidApiKey(Unauthorized):
    slug = "invalid-api-key"
    title = "The API key is not valid"


class MerchantSuspended(Forbidden):
    slug = "merchant-suspended"
    title = "The merchant may not use the API now"


class MerchantKeys:
    def __init__(
        self, redis: Redis, merchant_svc: Upstream, ttl_seconds: int, negative_ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._merchant_svc = merchant_svc
        self._ttl = ttl_seconds
        self._negative_ttl = negative_ttl_seconds

    async def verify(self, key: str) -> Principal:
        if not key or len(key) > 512:
            raise InvalidApiKey()
        cache_key = f"gw:mkey:{hashlib.sha256(key.encode()).hexdigest()}"
        cached = await self._redis.get(cache_key)
        if cached == _REFUSED:
            raise InvalidApiKey()
        if cached is not None:
            answer = json.loads(cached)
        else:
            response = await self._merchant_svc.request(
                "POST", "/api/v1/merchant-api-keys/verify", principal=GATEWAY_PRINCIPAL, json={"key": key}
            )
            if response.status_code in (401, 403, 404):
                await self._redis.set(cache_key, _REFUSED, ex=self._negative_ttl)
                raise InvalidApiKey()
            if response.status_code != 200:
                raise BadGateway(f"merchant-svc answered {response.status_code} when verifying a key")
            answer = response.json()
            await self._redis.set(cache_key, json.dumps(answer), ex=self._ttl)
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
