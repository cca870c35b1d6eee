"""The delivery worker's HTTP transport: each connection goes to an address checked when it is opened.

httpx resolves a URL's host inside its connection pool, after any check of ours, so a name could answer
one address to the check and another to the connection (DNS rebinding). Here the pool's network backend
does the resolving instead: :meth:`Destinations.addresses` resolves the host once, refuses it unless every
address is allowed, and the TCP connection is made to one of those very addresses. The URL keeps the
merchant's host name, so the ``Host`` header, TLS SNI and certificate verification are for that name, and
pooled connections are kept per name (a connection made for one merchant never carries another's request).

With ``MERCHANT_WEBHOOK_EGRESS_PROXY`` set, requests go through that proxy instead (it resolves the names
itself and must enforce the same policy); the worker still checks the addresses before each delivery.
"""

from __future__ import annotations

import typing

import httpcore
import httpx

from merchant_svc.webhooks.url_policy import DestinationRefused, Destinations


class RefusedAddress(httpcore.ConnectError):
    """The connection was not made: the host resolved to an address we do not send to."""


class PinnedNetworkBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, destinations: Destinations) -> None:
        self._destinations = destinations
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._destinations.addresses(host, port)
        except DestinationRefused as exc:
            raise RefusedAddress(f"refused: {exc}") from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # addresses is never empty
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose connections are made by :class:`PinnedNetworkBackend`."""

    def __init__(self, destinations: Destinations, *, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx takes no network backend of its own; its pool (httpcore's) does. The pool is the
        # attribute httpx itself builds in __init__ and uses in handle_async_request, so everything else
        # (exception mapping, streaming, tracing) stays httpx's.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedNetworkBackend(destinations),
        )


def refused(exc: BaseException) -> bool:
    """Whether an httpx error is our refusal of the destination (not the merchant's server failing)."""
    return isinstance(exc.__cause__, RefusedAddress) or isinstance(exc, RefusedAddress)
