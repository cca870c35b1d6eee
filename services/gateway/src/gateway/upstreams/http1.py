"""A lean keep-alive HTTP/1.1 client for the gateway's calls to its services.

httpx cost a forwarded request ~1.5 ms of the gateway's CPU — a third of it (issue 20's profile: request
and URL models, the connection pool polling every idle socket on each request, anyio streams). A call to
a service inside the cluster needs far less: a pooled connection, one write, httptools (C, already
uvicorn's parser) reading the answer. This client does that and hands back an ``httpx.Response``, so
callers and error handling stay as they were; it raises httpx's exceptions (``ConnectTimeout``,
``PoolTimeout``, ``ReadTimeout``, ``ConnectError``, ``RemoteProtocolError``).

Its limits, where :class:`~gateway.upstreams.clients.Upstream` keeps using httpx: plain ``http://``
upstreams, bodies given whole (a streamed upload keeps httpx's per-write timeouts), no ``HEAD``. The
timeout covers the whole exchange after the connection (the services answer small bodies). An idle
connection is dropped after ``keepalive_expiry`` (below uvicorn's 5 s keep-alive) or once the service
closed it; a reused connection that fails before any answer byte is tried once more on a new one when the
method is idempotent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import httptools  # type: ignore[import-untyped]
import httpx
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, StatusCode

_tracer = trace.get_tracer("gateway.upstreams")

KEEPALIVE_EXPIRY_S = 4.0
"""How long a connection to a service may sit idle before the gateway stops using it: below uvicorn's
keep-alive timeout (5 s by default; the services run with 75 s), so the gateway never sends a request on
a connection the service is closing (that request fails with nothing read: a POST cannot be tried again,
and the caller gets a 502)."""
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_READ_SIZE = 65536


class _Answer:
    """httptools callbacks: the status, the headers and the body of one response."""

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.complete = False
        self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)

    def on_headers_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()  # llhttp forgets it once the message is complete

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = time.monotonic()
        self.used = False

    def usable(self, now: float, expiry: float) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing() and now - self.idle_since < expiry

    def close(self) -> None:
        self.writer.close()


class _Stale(Exception):
    """A reused connection failed before any answer byte (the service had closed it)."""


class Http1Client:
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float,
        timeout: float,
        max_connections: int,
        keepalive_expiry: float = KEEPALIVE_EXPIRY_S,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme != "http" or not url.host:
            raise ValueError(f"Http1Client speaks plain http to a host, not {base_url!r}")
        self._base = base_url.rstrip("/")
        self._host, self._port = url.host, url.port or 80
        self._authority = f"{self._host}:{self._port}".encode()
        self._connect_timeout, self._timeout = connect_timeout, timeout
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._expiry = keepalive_expiry

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()

    async def request(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_seconds: float | None = None,
    ) -> httpx.Response:
        """``method target`` (path and query, as sent) with ``headers`` and ``body``; the answer, whole."""
        limit = self._timeout if timeout_seconds is None else timeout_seconds
        with _tracer.start_as_current_span(method, kind=SpanKind.CLIENT) as span:
            lines = [f"{method} {target} HTTP/1.1".encode("latin-1"), b"host: " + self._authority]
            sent = dict(headers)
            propagate.inject(sent)  # the trace goes on (traceparent), recorded or not
            lines += [f"{name}: {value}".encode("latin-1") for name, value in sent.items()]
            if body is not None or method in ("POST", "PUT", "PATCH"):
                lines.append(b"content-length: %d" % len(body or b""))
            message = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
            if span.is_recording():
                span.set_attribute("http.request.method", method)
                span.set_attribute("url.full", self._base + target)
                span.set_attribute("server.address", self._host)
                span.set_attribute("server.port", self._port)
            try:
                async with asyncio.timeout(limit):
                    status, answer = await self._exchange(method, message)
            except TimeoutError as exc:
                raise httpx.ReadTimeout(f"{method} {target}: no answer in {limit:g} s") from exc
            if span.is_recording():
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(StatusCode.ERROR)
        return httpx.Response(
            status,
            headers=answer.headers,
            content=b"".join(answer.body),
            request=httpx.Request(method, self._base + target),
        )

    async def _exchange(self, method: str, message: bytes) -> tuple[int, _Answer]:
        try:
            await asyncio.wait_for(self._slots.acquire(), self._timeout)
        except TimeoutError as exc:
            raise httpx.PoolTimeout("no free connection to the service") from exc
        try:
            connection = await self._checkout()
            try:
                return await self._send(connection, message)
            except _Stale:
                if method not in _IDEMPOTENT:
                    raise httpx.RemoteProtocolError("the service closed the connection") from None
                return await self._send(await self._connect(), message)
        finally:
            self._slots.release()

    async def _checkout(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.usable(now, self._expiry):
                return connection
            connection.close()
        return await self._connect()

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port, limit=_READ_SIZE), self._connect_timeout
            )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {self._host}:{self._port}") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"connecting to {self._host}:{self._port}: {exc}") from exc
        return _Connection(reader, writer)

    async def _send(self, connection: _Connection, message: bytes) -> tuple[int, _Answer]:
        reused, connection.used = connection.used, True
        answer = _Answer()
        parser = answer.parser
        received = False
        try:
            connection.writer.write(message)
            await connection.writer.drain()
            while not answer.complete:
                data = await connection.reader.read(_READ_SIZE)
                if not data:
                    if reused and not received:
                        raise _Stale()
                    raise httpx.RemoteProtocolError("the service closed the connection mid-answer")
                received = True
                parser.feed_data(data)
        except _Stale:
            connection.close()
            raise
        except httptools.HttpParserError as exc:
            connection.close()
            raise httpx.RemoteProtocolError(f"unreadable answer: {exc}") from exc
        except OSError as exc:
            connection.close()
            if reused and not received:
                raise _Stale() from exc
            raise httpx.ReadError(str(exc)) from exc
        except (
            BaseException
        ):  # a timeout or a cancellation mid-exchange: the connection is in an unknown state
            connection.close()
            raise
        if answer.keep_alive:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return parser.get_status_code(), answer
