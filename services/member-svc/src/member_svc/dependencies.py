"""Request dependencies of member-svc: its settings, the PII cipher (both built once per app), Redis."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from member_svc.config import Settings
from member_svc.pii import PiiCipher


async def get_pii(request: Request) -> PiiCipher:
    pii: PiiCipher = request.app.state.pii
    return pii


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.member_settings
    return settings


async def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


RedisDep = Annotated[Redis, Depends(get_redis)]
PiiDep = Annotated[PiiCipher, Depends(get_pii)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
