"""Fixed-window rate limits in Redis: one counter per (scope, who, minute), shared by every replica."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from gateway.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    scope: str
    who: str
    limit: int
    window_seconds: int = 60


async def hit(redis: Redis, limits: Sequence[Limit], *, also_exists: str | None = None) -> bool:
    """Count one request against every limit (one round trip); raise 429 when any is exceeded.

    ``also_exists`` rides along in the same round trip (the access token's revocation marker); the
    return value says whether that key exists.
    """
    now = time.time()
    async with redis.pipeline(transaction=False) as pipe:
        for limit in limits:
            window = int(now // limit.window_seconds)
            key = f"gw:rl:{limit.scope}:{{{limit.who}}}:{window}"
            # SET NX EX then INCR: the counter gets its expiry once (EXPIRE NX needs Redis 7).
            pipe.set(key, 0, ex=limit.window_seconds + 1, nx=True)
            pipe.incr(key)
        if also_exists is not None:
            pipe.exists(also_exists)
        results = await pipe.execute()
    for index, limit in enumerate(limits):
        if int(results[2 * index + 1]) > limit.limit:
            window_end = (int(now // limit.window_seconds) + 1) * limit.window_seconds
            raise RateLimited(
                f"more than {limit.limit} requests per {limit.window_seconds}s ({limit.scope})",
                retry_after=max(1, int(window_end - now + 0.999)),
            )
    return bool(results[-1]) if also_exists is not None else False
