"""Request dependencies of member-svc: the PII cipher (built once per app) and Redis (its settings:
``member_svc.config.SettingsDep``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from member_svc.pii import PiiCipher


async def get_pii(request: Request) -> PiiCipher:
    pii: PiiCipher = request.app.state.pii
    return pii


async def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


RedisDep = Annotated[Redis, Depends(get_redis)]
PiiDep = Annotated[PiiCipher, Depends(get_pii)]
