"""A Redis pre-decrement gate in front of a flash sale's stock (the database stays the truth).

Under a burst, thousands of attempts race for a hundred units. Without the gate every attempt opens a
transaction and queues on the reward row's lock only to find ``stock = 0``. The gate keeps a counter per
sale in Redis: an admitted attempt still takes its unit with the conditional UPDATE in the database and
gives the Redis unit back if it fails; an attempt the gate refuses is told "sold out" only after an
unlocked read of the committed stock agrees (``rewards.service.redeem_through_gate``), because units
held by admitted attempts that later fail come back after others were refused. So the gate never
decides anything: it spares the database the row-lock queue, and a lost Redis unit (a crash between
admit and release) costs a read, not a sale. For the same reason, while Redis is down the attempts go
straight to the database (``rewards.service.redeem_through_gate``): correct, only slower under a burst.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from cheyou_kit.dependencies import REDIS_UNREACHABLE
from redis.asyncio import BlockingConnectionPool, Redis

log = logging.getLogger(__name__)

_ADMIT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
local left = redis.call('DECR', KEYS[1])
if left < 0 then redis.call('INCR', KEYS[1]) end
return left
"""
TTL_S = 14 * 24 * 3600


class StockGate:
    """Owns its Redis client: a blocking pool, so a burst waits for a connection instead of failing."""

    def __init__(self, redis_url: str, max_connections: int = 64, socket_timeout_s: float = 1.0) -> None:
        pool = BlockingConnectionPool.from_url(
            redis_url,
            max_connections=max_connections,
            timeout=30,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=socket_timeout_s,
        )
        self._redis = Redis(connection_pool=pool)
        self._admit = self._redis.register_script(_ADMIT)

    async def start(self) -> None:
        try:
            await self._redis.ping()
        except REDIS_UNREACHABLE as exc:  # flash sales go straight to the database until Redis is back
            log.warning("flash-sale gate: Redis unreachable at start-up (%s)", type(exc).__name__)

    async def stop(self) -> None:
        await self._redis.aclose()

    @staticmethod
    def key(reward_id: uuid.UUID) -> str:
        return f"privilege:flash-sale:{reward_id}:stock"

    async def admit(self, reward_id: uuid.UUID, stock: Callable[[], Awaitable[int]]) -> bool:
        """Take a unit in Redis; the counter starts from the database's stock on first use."""
        key = self.key(reward_id)
        left = int(await self._admit(keys=[key]))
        if left == -2:
            await self._redis.set(key, await stock(), nx=True, ex=TTL_S)
            left = int(await self._admit(keys=[key]))
        return left >= 0

    async def release(self, reward_id: uuid.UUID) -> None:
        """Give back a unit an admitted attempt did not take in the database after all."""
        await self._redis.incr(self.key(reward_id))
