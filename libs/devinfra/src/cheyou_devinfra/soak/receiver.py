"""The merchant's webhook receiver, as a merchant's IT person might run it — and as it misbehaves.

A small HTTP/1.1 server on asyncio streams (not a framework: it must be able to hang, to answer slowly and
to drop the connection after reading the body, which a framework does not let an app do). Every delivery
is verified with the Standard Webhooks reference library against the endpoint's secret; the receiver
deduplicates by ``webhook-id`` as the spec asks, so each message is *processed* once however often it is
*received*. What it processed goes to ``on_message`` (the merchant's dispatcher: accept, start, complete).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

MODES = ("ok", "hang", "error_500", "slow", "drop_after_body")


@dataclass
class Reception:
    webhook_id: str
    event_type: str
    order_id: str | None
    mode: str
    at: float


@dataclass
class MerchantReceiver:
    on_message: Callable[[dict[str, Any]], Coroutine[Any, Any, None]] | None = None
    secret: str | None = None
    mode: str = "ok"
    slow_seconds: float = 3.0
    hang_seconds: float = 60.0
    received: list[Reception] = field(default_factory=list)
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: int = 0
    modes_served: Counter[str] = field(default_factory=Counter)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hooks"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        for task in list(self._tasks):
            task.cancel()

    # --- what a run reads -------------------------------------------------------------------------------

    def receptions(self) -> Counter[str]:
        """webhook-id → how many times it arrived (verified), whatever the receiver then answered."""
        return Counter(r.webhook_id for r in self.received)

    @property
    def redeliveries(self) -> int:
        return sum(n - 1 for n in self.receptions().values())

    # --- the server -------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                headers, body = request
                keep_open = await self._answer(headers, body, writer)
                if not keep_open:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter) -> bool:
        from standardwebhooks import Webhook  # the reference verifier, as a merchant would use it

        mode = self.mode
        self.modes_served[mode] += 1
        try:
            assert self.secret is not None
            payload: dict[str, Any] = Webhook(self.secret).verify(body, headers)
        except Exception:  # any failure to verify is a refusal, and counted
            self.refused += 1
            await _respond(writer, 401, {"ok": False})
            return True
        webhook_id = headers["webhook-id"]
        data = payload.get("data") or {}
        self.received.append(
            Reception(webhook_id, str(payload.get("type")), data.get("order_id"), mode, time.monotonic())
        )
        if mode == "drop_after_body":
            return False  # the body was read; the connection goes without an answer
        if mode == "hang":
            await asyncio.sleep(self.hang_seconds)
            return False
        if mode == "error_500":
            await _respond(writer, 500, {"ok": False, "error": "internal"})
            return True
        if mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        first = webhook_id not in self.processed
        if first:  # deduplicated by webhook-id: processed once however often it comes
            self.processed[webhook_id] = payload
            if self.on_message is not None:
                task = asyncio.create_task(self.on_message(payload))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        await _respond(writer, 200, {"ok": True, "duplicate": not first})
        return True


async def _read_request(reader: asyncio.StreamReader) -> tuple[dict[str, str], bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return headers, body


async def _respond(writer: asyncio.StreamWriter, status: int, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    reason = {200: "OK", 401: "Unauthorized", 500: "Internal Server Error"}[status]
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(raw)}\r\n\r\n".encode()
        + raw
    )
    await writer.drain()
