"""The WeChat client against the fake WeChat and a real Redis: the access token is shared through Redis,
but a replica does not read it before every message, and a token error still reaches the new one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from notify_svc.config import Settings
from notify_svc.delivery.wechat import TOKEN_KEY, WeChatClient
from redis.asyncio import Redis

from tests.conftest import Fakes

MESSAGE = {"template_id": "TPL_TEST", "data": {"thing1": {"value": "洗车"}}}


@pytest.fixture
async def redis(infra: Any) -> AsyncIterator[Redis]:
    """A Redis database of the test's own: the token key here is not the running service's."""
    client = Redis.from_url(str(infra.redis_url).rsplit("/", 1)[0] + "/7")
    await client.delete(TOKEN_KEY)
    yield client
    await client.delete(TOKEN_KEY)
    await client.aclose()


async def token_requests(fakes: Fakes) -> int:
    stats = (await fakes.wechat.get("/_fake/stats")).json()
    return int(stats["token_requests"])


async def test_a_replica_reuses_its_token_instead_of_reading_redis_per_message(
    redis: Redis, fakes: Fakes, service_settings: Settings
) -> None:
    async with httpx.AsyncClient() as http:
        client = WeChatClient(
            http, redis, fakes.wechat_url, service_settings.wechat_appid, service_settings.wechat_secret
        )
        openid = f"o-{uuid.uuid4().hex[:12]}"
        assert (await client.send_template(openid, MESSAGE)).ok
        assert await redis.get(TOKEN_KEY) is not None  # shared with the other replicas

        # Were the token read from Redis per message, its absence would make each send fetch one anew.
        await redis.delete(TOKEN_KEY)
        before = await token_requests(fakes)
        for _ in range(5):
            assert (await client.send_template(openid, MESSAGE)).ok
        assert await token_requests(fakes) == before
        assert await redis.get(TOKEN_KEY) is None

        # WeChat expired it (42001): the client fetches a new one, shares it and the send goes through.
        await fakes.wechat.post("/_fake/expire-token")
        assert (await client.send_template(openid, MESSAGE)).ok
        assert await token_requests(fakes) == before + 1
        assert await redis.get(TOKEN_KEY) is not None
