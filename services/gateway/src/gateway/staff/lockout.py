"""Failed sign-ins counted in Redis: after N failures within the cool-down, the account is locked
for the cool-down (kept out of the database so a failed attempt needs no commit)."""

from __future__ import annotations

from redis.asyncio import Redis


class Lockout:
    def __init__(self, redis: Redis, max_failures: int, cooldown_seconds: int) -> None:
        self._redis = redis
        self._max = max_failures
        self._cooldown = cooldown_seconds

    @staticmethod
    def _failures(username: str) -> str:
        return f"gw:staff:{{{username}}}:failures"

    @staticmethod
    def _lock(username: str) -> str:
        return f"gw:staff:{{{username}}}:locked"

    async def locked_for(self, username: str) -> int:
        """Seconds until the account unlocks; 0 when it is not locked."""
        ttl = int(await self._redis.ttl(self._lock(username)))
        return max(ttl, 0)

    async def record_failure(self, username: str) -> int:
        """Count one failure; returns the seconds of lock it caused (0 when still under the limit)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._failures(username), 0, ex=self._cooldown, nx=True)
            pipe.incr(self._failures(username))
            _, failures = await pipe.execute()
        if int(failures) < self._max:
            return 0
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._lock(username), "1", ex=self._cooldown)
            pipe.delete(self._failures(username))
            await pipe.execute()
        return self._cooldown

    async def clear(self, username: str) -> None:
        await self._redis.delete(self._failures(username), self._lock(username))
