"""The other party's one-time codes: six random digits, kept only as a keyed hash (``pii``), bound to the
code's row; wrong tries are counted in Redis — atomically, before the check, and outside the request's
transaction, so a refused try still counts and concurrent guesses cannot share one try."""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from claims_svc import pii


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def digest(pii_key: str, code_id: uuid.UUID, code: str) -> str:
    return pii.blind_index_for(pii_key).digest(f"liability-code:{code_id}:{code}")


def matches(pii_key: str, code_id: uuid.UUID, code: str, expected: str) -> bool:
    return hmac.compare_digest(digest(pii_key, code_id, code), expected)


async def count_try(redis: Redis, code_id: uuid.UUID, *, lifetime_seconds: int) -> int:
    """This try's number (1 for the first) for the code; the count outlives the code."""
    key = f"claims:liability-code:{{{code_id}}}:tries"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, lifetime_seconds + 60)
        tries, _ = await pipe.execute()
    return int(tries)


async def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


RedisDep = Annotated[Redis, Depends(get_redis)]
"""The service's Redis, in a route."""
