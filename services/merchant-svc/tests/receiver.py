"""A real HTTP receiver for webhooks: a stdlib server in a thread of the test process, on a free port.

Each test takes an endpoint of its own (``receiver.endpoint()``), scripts its answers (status,
headers, or hanging until the test ends) and reads back every request exactly as it arrived.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    hang: bool = False


HANG = Answer(hang=True)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self.defaults: dict[str, Answer] = {}
        self.received: dict[str, list[Received]] = defaultdict(list)
        self.release = threading.Event()

    def next_answer(self, path: str) -> Answer:
        with self.lock:
            script = self.scripts[path]
            return script.popleft() if script else self.defaults.get(path, Answer())


class Endpoint:
    def __init__(self, base: str, path: str, state: _State) -> None:
        self.path = path
        self.url = base + path
        self._state = state

    def answer(self, *answers: Answer, then: Answer | None = None) -> Endpoint:
        """Answer the next requests with ``answers`` in order, then with ``then`` (default 200)."""
        with self._state.lock:
            self._state.scripts[self.path].extend(answers)
            if then is not None:
                self._state.defaults[self.path] = then
        return self

    @property
    def received(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.received[self.path])


class Receiver:
    def __init__(self) -> None:
        self._state = _State()
        state = self._state

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with state.lock:
                    state.received[self.path].append(
                        Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
                        )
                    )
                answer = state.next_answer(self.path)
                if answer.hang:
                    state.release.wait()
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *_: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="webhook receiver", daemon=True
        )

    def endpoint(self) -> Endpoint:
        return Endpoint(self.base, f"/hooks/{uuid.uuid4().hex[:12]}", self._state)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._state.release.set()
        self._server.shutdown()
        self._server.server_close()
