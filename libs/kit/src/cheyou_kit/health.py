"""``/healthz`` (the process is alive) and ``/readyz`` (its database, Redis and broker answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[object]]

router = APIRouter(tags=["health"])


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    checks: dict[str, ReadinessCheck] = request.app.state.readiness_checks
    results = await asyncio.gather(
        *(asyncio.wait_for(check(), timeout=2.0) for check in checks.values()), return_exceptions=True
    )
    report = {
        name: "ok" if not isinstance(result, BaseException) else f"failed: {type(result).__name__}: {result}"
        for name, result in zip(checks, results, strict=True)
    }
    ready = all(value == "ok" for value in report.values())
    return JSONResponse({"ready": ready, "checks": report}, status_code=200 if ready else 503)
