from __future__ import annotations

import redis.asyncio as aioredis
from cheyou_devinfra import Infra, InfraManager


async def test_set_get_and_persistence_across_restart(manager: InfraManager, local_infra: Infra) -> None:
    client = aioredis.from_url(local_infra.redis_url)
    await client.set("quota:member-1", "3")
    assert await client.get("quota:member-1") == b"3"
    await client.aclose()

    assert manager.redis.restart() == local_infra.redis_url

    client = aioredis.from_url(local_infra.redis_url)
    try:
        assert await client.get("quota:member-1") == b"3"
    finally:
        await client.aclose()
