"""Serve an ASGI app with uvicorn in a background thread (tests) or in the foreground (``make dev``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def running(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 60.0
) -> Iterator[str]:
    """Run ``app`` on ``host:port`` (0 = a free port) in a thread; yield ``http://host:port``.

    Waits for the app's lifespan startup (up to ``startup_timeout`` seconds).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="cheyou-fake")
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve(app: ASGIApp, host: str, port: int) -> None:
    """Run ``app`` in the foreground until interrupted. No access log: a line per request was most of a
    fake's work and capped a campaign's benchmark at the fake (issue 20); ``/_fake/stats`` and
    ``/_fake/messages`` say what it received. Keep-alive 75 s, as the services: a client's idle
    connection is never closed under it while a request goes out."""
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, timeout_keep_alive=75)
