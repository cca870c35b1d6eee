"""Kafka and Redis: what a service does without them (it stays ready, and degrades as documented).

Readiness (``/readyz``) checks the process and its own database only. A Kafka outage is what the outbox
exists to absorb: writes keep landing in the outbox and the relay publishes them when the broker is
back. A Redis outage degrades single features, each in the direction written down in
``libs/kit/README.md`` ("Settings for production" → "When Redis is down"). Neither may take every
replica out of its Service at once, which is what a failing readiness probe would do.

What replaces the readiness checks is metrics, which the alerts use:

- ``cheyou_dependency_up{service, dependency}`` — 1 when the last probe of Kafka (a metadata request)
  or Redis (``PING``) answered within the probe's timeout, else 0. Probed every
  ``DEPENDENCY_PROBE_INTERVAL_SECONDS`` by :class:`DependencyProbes`.
- ``cheyou_degraded_total{service, feature, outcome}`` — requests a feature served without Redis:
  ``outcome`` is ``fail_open`` (done without the Redis part: a rate limit not counted), ``fallback``
  (done another way: a cache read from its source, the flash-sale gate skipped) or ``refused``
  (answered 503 ``dependency-unavailable``: sign-in codes, idempotency keys the service cannot keep).
- ``cheyou_events_outbox_oldest_age_seconds`` (``cheyou_events``) — how long the oldest unpublished
  event has waited: the relay's lag, which grows while Kafka is down.

A Redis error that no feature handles becomes a 503 ``dependency-unavailable`` problem (with
``Retry-After``), never a 500: :func:`install_dependency_handlers`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Gauge
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from cheyou_kit.errors import PROBLEM_BASE, ProblemError, problem_response

log = logging.getLogger(__name__)

REDIS_UNREACHABLE: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError, OSError)
"""What a Redis command raises when Redis is down or too slow (``BusyLoadingError`` — Redis replaying
its AOF — is a ``ConnectionError``)."""

DEPENDENCY_UP = Gauge(
    "cheyou_dependency_up",
    "1 when the last probe of the dependency (kafka: metadata; redis: PING) answered, else 0",
    ["service", "dependency"],
)
DEGRADED = Counter(
    "cheyou_degraded",
    "Requests a feature served without a dependency, by outcome (fail_open, fallback, refused)",
    ["service", "feature", "outcome"],
)

_service_name = "unknown"
_last_warning: dict[str, float] = {}


def set_service_name(name: str) -> None:
    global _service_name
    _service_name = name


def degraded(feature: str, outcome: str, exc: BaseException | None = None) -> None:
    """Count one request ``feature`` served without Redis; log it (once a minute per feature)."""
    DEGRADED.labels(_service_name, feature, outcome).inc()
    now = time.monotonic()
    if now - _last_warning.get(feature, -60.0) >= 60.0:
        _last_warning[feature] = now
        log.warning(
            "redis unreachable: %s %s (%s)",
            feature,
            outcome.replace("_", " "),
            type(exc).__name__ if exc is not None else "",
        )


class DependencyUnavailable(ProblemError):
    """A feature that cannot work without Redis, while Redis is down: try again shortly."""

    status = 503
    slug = "dependency-unavailable"
    title = "This feature is briefly unavailable; try again shortly"

    def __init__(self, detail: str | None = None, *, feature: str, retry_after: int = 5) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.feature = feature
        self.retry_after = retry_after


def dependency_unavailable_response(request: Request, exc: DependencyUnavailable) -> JSONResponse:
    return problem_response(exc.to_problem(request.url.path), headers={"Retry-After": str(exc.retry_after)})


async def _on_dependency_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DependencyUnavailable)
    degraded(exc.feature, "refused", exc)
    return dependency_unavailable_response(request, exc)


async def _on_redis_unreachable(request: Request, exc: Exception) -> JSONResponse:
    """A Redis error no feature handled: the feature needs Redis, so 503 (the text goes to the log only)."""
    route = getattr(request.scope.get("route"), "path", None)  # the template: a bounded label
    degraded(f"{request.method} {route or 'unrouted'}", "refused", exc)
    problem = {
        "type": PROBLEM_BASE + "dependency-unavailable",
        "title": DependencyUnavailable.title,
        "status": 503,
        "instance": request.url.path,
        "retry_after": 5,
    }
    return problem_response(problem, headers={"Retry-After": "5"})


def install_dependency_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DependencyUnavailable, _on_dependency_unavailable)
    app.add_exception_handler(RedisConnectionError, _on_redis_unreachable)
    app.add_exception_handler(RedisTimeoutError, _on_redis_unreachable)


Probe = Callable[[], Awaitable[object]]


class DependencyProbes:
    """An app component: probes each dependency every ``interval_s`` and sets ``cheyou_dependency_up``."""

    def __init__(
        self, service: str, probes: Mapping[str, Probe], *, interval_s: float, timeout_s: float = 2.0
    ) -> None:
        self._service = service
        self._probes = dict(probes)
        self._interval = interval_s
        self._timeout = timeout_s
        self._task: asyncio.Task[None] | None = None
        self.up: dict[str, bool] = {}

    async def start(self) -> None:
        await self.probe_once()
        self._task = asyncio.create_task(self._run(), name=f"{self._service}-dependency-probes")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def probe_once(self) -> dict[str, bool]:
        names = list(self._probes)
        results = await asyncio.gather(
            *(asyncio.wait_for(self._probes[name](), timeout=self._timeout) for name in names),
            return_exceptions=True,
        )
        for name, result in zip(names, results, strict=True):
            ok = not isinstance(result, BaseException)
            if self.up.get(name, True) and not ok:
                log.warning("%s unreachable: %s", name, type(result).__name__)
            elif not self.up.get(name, True) and ok:
                log.info("%s reachable again", name)
            self.up[name] = ok
            DEPENDENCY_UP.labels(self._service, name).set(1 if ok else 0)
        return dict(self.up)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.probe_once()
            except Exception:  # a probe must never end the loop
                log.exception("dependency probes failed")
