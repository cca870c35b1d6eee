"""The services behind the gateway: one pooled keep-alive client each, a signed identity on every
request, timeouts, retries for idempotent methods only, and a circuit breaker."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import httpx
from cheyou_kit.errors import BadRequest
from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role
from httpx._client import UseClientDefault  # the type of httpx.USE_CLIENT_DEFAULT, not re-exported

from gateway.errors import BadGateway, ServiceUnavailable, UpstreamTimeout
from gateway.upstreams.breaker import CircuitBreaker
from gateway.upstreams.http1 import KEEPALIVE_EXPIRY_S, Http1Client

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answers that say the service (not the request) is in trouble: they count against the breaker.
_UNHEALTHY = frozenset({502, 503, 504})

GATEWAY_PRINCIPAL = Principal(subject="service:gateway", role=Role.SERVICE)


class Upstream:
    def __init__(
        self,
        name: str,
        base_url: str,
        signer: IdentitySigner | None,
        *,
        connect_timeout: float,
        timeout: float,
        max_connections: int,
        retries: int,
        breaker: CircuitBreaker,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.breaker = breaker
        self._signer = signer
        self._retries = retries
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=KEEPALIVE_EXPIRY_S,
            ),
            follow_redirects=False,
        )
        # Whole bodies to a plain-http service (every forwarded request but streamed uploads) go through
        # the lean client: a third of a forwarded request's CPU was httpx's (issue 20).
        self._lean = (
            Http1Client(
                self.base_url,
                connect_timeout=connect_timeout,
                timeout=timeout,
                max_connections=max_connections,
            )
            if self.base_url.startswith("http://")
            else None
        )

    async def aclose(self) -> None:
        await self._client.aclose()
        if self._lean is not None:
            await self._lean.aclose()

    def identity(self, principal: Principal, request: httpx.Request) -> str:
        """A token for this request only: its service, method, path and query string, as sent."""
        if self._signer is None:
            raise ServiceUnavailable("the gateway has no internal-token signing key")
        return self._signer.sign(
            principal, self.name, method=request.method, path=request.url.path, query=request.url.query
        )

    async def _send_httpx(
        self,
        method: str,
        path: str,
        principal: Principal | None,
        headers: dict[str, str],
        params: Any,
        content: bytes | AsyncIterator[bytes] | None,
        json: Any,
        request_timeout: float | UseClientDefault,
    ) -> httpx.Response:
        request = self._client.build_request(
            method, path, headers=headers, params=params, content=content, json=json, timeout=request_timeout
        )
        if principal is not None:
            # Signed per attempt, from the request as it will be sent (the path and query the service will
            # see): a retry after a slow failure still carries a fresh token.
            request.headers[IDENTITY_HEADER] = self.identity(principal, request)
        return await self._client.send(request)

    async def _send_lean(
        self,
        lean: Http1Client,
        method: str,
        path: str,
        principal: Principal | None,
        headers: dict[str, str],
        params: Any,
        content: bytes | AsyncIterator[bytes] | None,
        timeout_seconds: float | None,
    ) -> httpx.Response:
        """One attempt through the lean client: the path as given (percent-encoded, as the caller sent
        it), the query as given or encoded from a mapping, the token signed for exactly what is sent."""
        if isinstance(params, str):
            query = params
        elif params:
            query = str(httpx.QueryParams(params))
        else:
            query = ""
        if any(c in path for c in " \r\n#?") or not path.startswith("/"):
            raise httpx.InvalidURL(f"not a path: {path!r}")
        send = dict(headers)
        if principal is not None:
            if self._signer is None:
                raise ServiceUnavailable("the gateway has no internal-token signing key")
            send[IDENTITY_HEADER] = self._signer.sign(
                principal, self.name, method=method, path=unquote(path), query=query.encode("latin-1")
            )
        target = f"{path}?{query}" if query else path
        body = content if isinstance(content, bytes) else None
        return await lean.request(method, target, send, body, timeout_seconds)

    async def request(
        self,
        method: str,
        path: str,
        *,
        principal: Principal | None,
        headers: Mapping[str, str] | None = None,
        params: Any = None,
        content: bytes | AsyncIterator[bytes] | None = None,
        json: Any = None,
        timeout_seconds: float | None = None,
    ) -> httpx.Response:
        """Send one request (re-sent on failure when the method is idempotent); the body is read."""
        retry_after = self.breaker.retry_after()
        if retry_after is not None:
            raise ServiceUnavailable(
                f"{self.name} is failing; not trying it for now", retry_after=retry_after
            )
        replayable = content is None or isinstance(content, bytes)  # a streamed body is sent once
        attempts = 1 + (self._retries if method in IDEMPOTENT_METHODS and replayable else 0)
        send_headers = dict(headers or {})
        timeout: float | UseClientDefault = (
            timeout_seconds if timeout_seconds is not None else httpx.USE_CLIENT_DEFAULT
        )
        lean = self._lean if json is None and method != "HEAD" and replayable else None
        for attempt in range(attempts):
            try:
                if lean is not None:
                    response = await self._send_lean(
                        lean, method, path, principal, send_headers, params, content, timeout_seconds
                    )
                else:
                    response = await self._send_httpx(
                        method, path, principal, send_headers, params, content, json, timeout
                    )
            except httpx.InvalidURL as exc:
                raise BadRequest(f"the path cannot be forwarded: {exc}") from exc
            except httpx.TimeoutException as exc:
                reached = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                failure: Exception = UpstreamTimeout(
                    f"{self.name} did not answer in time", reached_service=reached
                )
                log.warning("%s %s %s: %r", self.name, method, path, exc)
            except httpx.TransportError as exc:
                # No connection (or none we could use): the service never saw the request. Anything else
                # broke after it went out — the service may have done the work and died before answering.
                unsent = isinstance(
                    exc, httpx.ConnectError | httpx.UnsupportedProtocol | httpx.LocalProtocolError
                )
                failure = BadGateway(f"{self.name} could not be reached", reached_service=not unsent)
                log.warning("%s %s %s: %r", self.name, method, path, exc)
            else:
                if response.status_code in _UNHEALTHY and attempt + 1 < attempts:
                    self.breaker.record_failure()
                    await _backoff(attempt)
                    continue
                if response.status_code in _UNHEALTHY:
                    self.breaker.record_failure()
                else:
                    self.breaker.record_success()
                return response
            self.breaker.record_failure()
            if attempt + 1 < attempts and self.breaker.state == "closed":
                await _backoff(attempt)
                continue
            raise failure
        raise AssertionError("unreachable")  # pragma: no cover


async def _backoff(attempt: int) -> None:
    await asyncio.sleep(0.05 * 2**attempt * (0.5 + random.random()))


class Upstreams:
    """Every service by name."""

    def __init__(self, services: Mapping[str, Upstream]) -> None:
        self._services = dict(services)

    def __getitem__(self, name: str) -> Upstream:
        return self._services[name]

    def __iter__(self) -> Iterator[Upstream]:
        return iter(self._services.values())

    async def aclose(self) -> None:
        for upstream in self._services.values():
            await upstream.aclose()
