"""``/healthz`` (the process is alive) and ``/readyz`` (its database, Redis and broker answer).

Neither is public: the ingress routes only the API and the front ends to the gateway, and the gateway
forwards only ``/api/v1/…``. Still, a readiness answer names each check as ``ok`` or ``failed`` and
nothing more: the exception (a DSN, a host name, a driver's message) goes to the log only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[object]]

log = logging.getLogger(__name__)

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
    report: dict[str, str] = {}
    for name, result in zip(checks, results, strict=True):
        if isinstance(result, BaseException):
            log.warning("readiness check %s failed: %s: %s", name, type(result).__name__, result)
            report[name] = "failed"
        else:
            report[name] = "ok"
    ready = all(value == "ok" for value in report.values())
    return JSONResponse({"ready": ready, "checks": report}, status_code=200 if ready else 503)
