"""Readiness answers carry no exception text (security issue 17, Low): a DSN or host in a driver's error
message stays in the log."""

from __future__ import annotations

import httpx
from cheyou_kit.health import router
from fastapi import FastAPI


async def test_a_failed_check_says_failed_and_nothing_more() -> None:
    app = FastAPI()
    app.include_router(router)

    async def database() -> None:
        raise ConnectionRefusedError("connect to postgresql://cheyou:hunter2@10.0.3.7:5432/member failed")

    async def redis() -> None:
        return None

    app.state.readiness_checks = {"database": database, "redis": redis}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"ready": False, "checks": {"database": "failed", "redis": "ok"}}
