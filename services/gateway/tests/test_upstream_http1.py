"""The gateway's lean HTTP/1.1 client to its services (issue 20): keep-alive reuse, connections the service
closed, chunked answers, timeouts — against a bare socket server that behaves as told."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from gateway.upstreams.breaker import CircuitBreaker
from gateway.upstreams.clients import Upstream
from gateway.upstreams.http1 import KEEPALIVE_EXPIRY_S, Http1Client


class Server:
    """Answers each request on a connection with ``answer``; closes the connection after each answer
    when ``close_after`` (without saying so: a service's keep-alive timeout), or never answers when
    ``silent``."""

    def __init__(
        self,
        answer: bytes,
        *,
        close_after: bool = False,
        silent: bool = False,
        keep_alive_s: float | None = None,
    ) -> None:
        self.answer, self.close_after, self.silent = answer, close_after, silent
        self.keep_alive_s = keep_alive_s
        self.connections = 0
        self.requests: list[bytes] = []
        self.dropped = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answered_at: float | None = None
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                idle = time.monotonic() - answered_at if answered_at is not None else 0.0
                if self.keep_alive_s is not None and idle > self.keep_alive_s:
                    # The service's keep-alive ran out as this request came in: closed, nothing answered
                    # (a real one closes a moment earlier, racing the request; this is the lost race).
                    self.dropped += 1
                    break
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                self.requests.append(head + (await reader.readexactly(length) if length else b""))
                if self.silent:
                    await asyncio.sleep(30)
                writer.write(self.answer)
                await writer.drain()
                answered_at = time.monotonic()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@asynccontextmanager
async def serving(server: Server) -> AsyncIterator[str]:
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()


OK = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'


def client(url: str, timeout: float = 5.0) -> Http1Client:
    return Http1Client(url, connect_timeout=2.0, timeout=timeout, max_connections=4)


async def test_requests_share_one_kept_alive_connection() -> None:
    server = Server(OK)
    async with serving(server) as url:
        http = client(url)
        answers = [
            await http.request("GET", f"/api/v1/things?page={i}", {"x-request-id": "r"}, None)
            for i in range(3)
        ]
        await http.aclose()

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == {"ok": True}
    assert answers[0].headers["content-type"] == "application/json"
    assert server.connections == 1
    assert server.requests[2].startswith(b"GET /api/v1/things?page=2 HTTP/1.1\r\n")
    assert b"x-request-id: r\r\n" in server.requests[0]


async def test_a_connection_the_service_closed_is_not_used_again() -> None:
    server = Server(OK, close_after=True)
    async with serving(server) as url:
        http = client(url)
        first = await http.request("GET", "/a", {}, None)
        await asyncio.sleep(0.05)  # the service's close arrives
        second = await http.request("POST", "/b", {"content-type": "application/json"}, b"{}")
        await http.aclose()

    assert (first.status_code, second.status_code) == (200, 200)
    assert server.connections == 2
    assert server.requests[1].endswith(b"content-length: 2\r\n\r\n{}")


UVICORN_KEEP_ALIVE_S = 5.0  # the services' uvicorn default (--timeout-keep-alive)


async def test_no_request_goes_out_on_a_connection_idle_past_the_services_keep_alive() -> None:
    # Both of an upstream's clients: httpx (JSON bodies, the gateway's own calls) and the lean one. Before
    # this, httpx kept idle connections 30 s: a POST after 5 s idle met a closing connection, and a
    # member's sign-in answered 502 (seen loading the 2014 world).
    server = Server(OK, keep_alive_s=UVICORN_KEEP_ALIVE_S)
    async with serving(server) as url:
        upstream = Upstream(
            "member-svc",
            url,
            None,
            connect_timeout=2.0,
            timeout=5.0,
            max_connections=4,
            retries=0,
            breaker=CircuitBreaker(5, 30.0),
        )
        answers = [await upstream.request("POST", "/identify", principal=None, json={"a": 1})]
        answers.append(await upstream.request("POST", "/lean", principal=None, content=b"{}"))
        await asyncio.sleep(UVICORN_KEEP_ALIVE_S + 0.3)
        answers.append(await upstream.request("POST", "/identify", principal=None, json={"a": 1}))
        answers.append(await upstream.request("POST", "/lean", principal=None, content=b"{}"))
        await upstream.aclose()

    assert KEEPALIVE_EXPIRY_S < UVICORN_KEEP_ALIVE_S
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert server.dropped == 0


async def test_a_chunked_answer_is_read_whole() -> None:
    chunked = (
        b'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{"a"\r\n4\r\n:1}\n\r\n0\r\n\r\n'
    )
    async with serving(Server(chunked)) as url:
        http = client(url)
        answer = await http.request("GET", "/c", {}, None)
        await http.aclose()

    assert answer.status_code == 201
    assert answer.content == b'{"a":1}\n'


async def test_a_service_that_does_not_answer_in_time_is_a_read_timeout() -> None:
    async with serving(Server(OK, silent=True)) as url:
        http = client(url, timeout=0.3)
        with pytest.raises(httpx.ReadTimeout):
            await http.request("GET", "/slow", {}, None)
        await http.aclose()


async def test_nothing_listening_is_a_connect_error() -> None:
    http = client("http://127.0.0.1:9")
    with pytest.raises(httpx.ConnectError):
        await http.request("GET", "/", {}, None)
