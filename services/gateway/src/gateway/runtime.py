"""What the gateway holds for its lifetime: upstream clients, the routing table, token and key
services, the Redis stores. Started and stopped by the kit's lifespan as a component."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

import httpx
from cheyou_kit.app import Resources
from cheyou_kit.identity import IdentitySigner
from fastapi import Depends, FastAPI, Request

from gateway.auth.otp import OtpStore
from gateway.auth.phone_proof import PhoneProofs
from gateway.config import Settings
from gateway.merchants.service import MerchantKeys
from gateway.protection.idempotency import IdempotencyStore
from gateway.seed import seed
from gateway.staff.lockout import Lockout
from gateway.tokens.service import TokenService
from gateway.upstreams.breaker import CircuitBreaker
from gateway.upstreams.clients import Upstream, Upstreams
from gateway.upstreams.routing import RouteTable

log = logging.getLogger(__name__)

OWN_SEGMENTS = frozenset({"auth", "me", "wechat"})


class Runtime:
    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.document: dict[str, Any] = {}
        self._resources: Resources | None = None
        self._started = False

    def bind(self, resources: Resources) -> Runtime:
        self._resources = resources
        return self

    @property
    def resources(self) -> Resources:
        assert self._resources is not None, "the gateway runtime is not started"
        return self._resources

    async def start(self) -> None:
        settings, redis = self.settings, self.resources.redis
        signer = None
        if settings.internal_token_private_key_file is not None:
            signer = IdentitySigner(settings.internal_token_private_key_file.read_bytes())
        else:
            log.warning("INTERNAL_TOKEN_PRIVATE_KEY_FILE is not set: nothing can be forwarded")
        self.upstreams = Upstreams(
            {
                name: Upstream(
                    name,
                    url,
                    signer,
                    connect_timeout=settings.upstream_connect_timeout_seconds,
                    timeout=settings.upstream_timeout_seconds,
                    max_connections=settings.upstream_max_connections,
                    retries=settings.upstream_retries,
                    breaker=CircuitBreaker(
                        settings.breaker_failure_threshold, settings.breaker_reset_seconds
                    ),
                )
                for name, url in settings.upstreams.items()
            }
        )
        # WeChat and the SMS provider: one pooled client for the outside world.
        self.external = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        if settings.access_token_secret is not None:
            key = settings.access_token_secret.get_secret_value().encode()
        else:
            log.warning("GATEWAY_ACCESS_TOKEN_SECRET is not set: tokens die with this process")
            key = secrets.token_bytes(32)
        self.tokens = TokenService(
            redis, key, settings.access_token_ttl_seconds, settings.refresh_token_ttl_seconds
        )
        self.otp = OtpStore(redis, settings, pepper=key)
        self.merchant_otp = OtpStore(redis, settings, pepper=key, purpose="merchant")
        self.phone_proofs = PhoneProofs(redis, key, settings.phone_proof_ttl_seconds)
        self.lockout = Lockout(
            redis,
            settings.staff_max_failures,
            settings.staff_lockout_seconds,
            settings.staff_lockout_max_seconds,
        )
        self.merchant_keys = MerchantKeys(
            redis,
            self.upstreams["merchant-svc"],
            settings.merchant_key_cache_seconds,
            settings.merchant_key_negative_cache_seconds,
        )
        self.idempotency = IdempotencyStore(redis, settings.idempotency_ttl_seconds)
        self.routes = RouteTable(
            self.upstreams,
            own_segments=OWN_SEGMENTS,
            own_document=_own_document(self.app),
            refresh_seconds=settings.routes_refresh_seconds,
            on_document=self._publish_document,
        )
        if settings.seed_demo_staff:
            created = await seed(settings)
            if created:
                log.info("demo staff created: %s", ", ".join(created))
        self._publish_document(self.routes.document)
        await self.routes.start()
        self._started = True

    def _publish_document(self, document: dict[str, Any]) -> None:
        self.document = document

    async def stop(self) -> None:
        if not self._started:
            return
        self.merchant_keys.stop()
        await self.routes.stop()
        await self.upstreams.aclose()
        await self.external.aclose()


def _own_document(app: FastAPI) -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi

    return get_openapi(title=app.title, version=app.version, routes=app.routes)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def runtime_dependency(request: Request) -> Runtime:
    """:func:`runtime_of` as a route dependency: ``async``, so FastAPI calls it on the event loop instead
    of handing a plain function to its thread pool on every request."""
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(runtime_dependency)]
"""What the gateway's lifespan opened (clients, Redis, the token keys), in a route."""
