"""``Idempotency-Key`` on mutations (Stripe's design), scoped per principal, kept in Redis.

The first request with a key is marked in flight; its response (status and body) is stored and
replayed for repeats. The same key with a different request is a 422; a repeat while the first is
still in flight is a 409. A request the service never received (the gateway could not reach it)
releases the key, so the client may try again. A request that reached the service and lost its answer
(a timeout, a connection broken before the answer), or whose gateway died while it was in flight, may
have been done: its key answers 409 ``idempotency-outcome-unknown`` from then on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from gateway.protection.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencyOutcomeUnknown,
    InvalidIdempotencyKey,
)

HEADER = "Idempotency-Key"
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_IN_FLIGHT_SECONDS = (
    120  # longer than any upstream timeout; a key in flight longer was held by a dead gateway
)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str | None
    body: bytes


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part + b"\n")
    digest.update(body)
    return digest.hexdigest()


def validate(key: str) -> str:
    if not 1 <= len(key) <= 255 or not all(0x21 <= ord(c) <= 0x7E for c in key):
        raise InvalidIdempotencyKey()
    return key


class IdempotencyStore:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    @staticmethod
    def _key(scope: str, key: str) -> str:
        return f"gw:idem:{{{scope}}}:{hashlib.sha256(key.encode()).hexdigest()}"

    async def begin(self, scope: str, key: str, request_fingerprint: str) -> StoredResponse | None:
        """None: go ahead (the key is now in flight). A stored response: replay it. Else 409/422."""
        redis_key = self._key(scope, key)
        marker = json.dumps({"state": "in_flight", "fingerprint": request_fingerprint, "since": time.time()})
        for _ in range(3):
            # Kept as long as an answer would be: a gateway that died while the key was in flight may
            # have had the request done by the service, so its key must not come free again.
            if await self._redis.set(redis_key, marker, nx=True, ex=self._ttl):
                return None
            raw = await self._redis.get(redis_key)
            if raw is None:
                continue  # released or expired in between: try to take it again
            record = json.loads(raw)
            if record["fingerprint"] != request_fingerprint:
                raise IdempotencyKeyReused()
            if record["state"] == "in_flight":
                if time.time() - float(record.get("since", time.time())) < _IN_FLIGHT_SECONDS:
                    raise IdempotencyKeyInUse(retry_after=1)
                # In flight for longer than any upstream timeout: the gateway that held it died on the way,
                # perhaps after the service did the work.
                raise IdempotencyOutcomeUnknown(
                    "it may have taken effect: look the result up before sending it again with a new key"
                )
            if record["state"] == "unknown":
                raise IdempotencyOutcomeUnknown(
                    "it may have taken effect: look the result up before sending it again with a new key"
                )
            return StoredResponse(
                record["status"], record.get("content_type"), base64.b64decode(record["body"])
            )
        raise IdempotencyKeyInUse(retry_after=1)

    async def complete(
        self, scope: str, key: str, request_fingerprint: str, response: StoredResponse
    ) -> None:
        record = {
            "state": "done",
            "fingerprint": request_fingerprint,
            "status": response.status,
            "content_type": response.content_type,
            "body": base64.b64encode(response.body).decode(),
        }
        await self._redis.set(self._key(scope, key), json.dumps(record), ex=self._ttl)

    async def mark_unknown(self, scope: str, key: str, request_fingerprint: str) -> None:
        """The service got the request but its answer was lost: sending it again could do it twice."""
        record = {"state": "unknown", "fingerprint": request_fingerprint}
        await self._redis.set(self._key(scope, key), json.dumps(record), ex=self._ttl)

    async def release(self, scope: str, key: str) -> None:
        await self._redis.delete(self._key(scope, key))
