"""The routing table, learned from each service's ``/openapi.json`` (no hand-kept route list).

A service owns the first path segments after ``/api/v1`` that its document lists, and its document says
which roles may reach each of them (``x-cheyou-audiences``, ``cheyou_kit.auth.publish_audiences``). The
table is built at start-up, refreshed in the background, and refreshed at once (at most every few
seconds) when a request names a segment nobody owns while some service has not answered yet.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cheyou_kit.auth import audiences_of

from gateway.upstreams.clients import Upstreams
from gateway.upstreams.openapi import merge

log = logging.getLogger(__name__)

PREFIX = "/api/v1/"
ROLES_EXTENSION = "x-cheyou-roles"
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class Operation:
    """One operation of a service, as its OpenAPI document declares it."""

    service: str
    method: str
    template: str
    pattern: re.Pattern[str]
    roles: frozenset[str] | None
    keeps_idempotency_key: bool = False
    """The operation takes ``Idempotency-Key`` itself (kept in the service's database): a repeat is
    answered with the first result even when the gateway's own record (Redis) is unavailable."""


def segment_of(path: str) -> str | None:
    """``/api/v1/members/1`` → ``members``."""
    if not path.startswith(PREFIX):
        return None
    return path[len(PREFIX) :].split("/", 1)[0] or None


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        ("[^/]+" if not part.endswith(":path}") else ".+") if part.startswith("{") else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}$")


def operations_of(service: str, document: Mapping[str, Any]) -> list[Operation]:
    found = []
    for template, item in document.get("paths", {}).items():
        if not template.startswith(PREFIX):
            continue
        for method, operation in item.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            roles = operation.get(ROLES_EXTENSION)
            found.append(
                Operation(
                    service=service,
                    method=method.upper(),
                    template=template,
                    pattern=_pattern(template),
                    roles=frozenset(roles) if isinstance(roles, list) else None,
                    keeps_idempotency_key=any(
                        isinstance(p, dict)
                        and p.get("in") == "header"
                        and str(p.get("name", "")).lower() == "idempotency-key"
                        for p in operation.get("parameters", [])
                    ),
                )
            )
    return found


class RouteTable:
    def __init__(
        self,
        upstreams: Upstreams,
        *,
        own_segments: frozenset[str],
        own_document: dict[str, Any],
        refresh_seconds: float,
        on_document: Callable[[dict[str, Any]], None] | None = None,
        fetch_timeout: float = 3.0,
    ) -> None:
        self._on_document = on_document
        self._upstreams = upstreams
        self._own_segments = own_segments
        self._own_document = own_document
        self._refresh_seconds = refresh_seconds
        self._fetch_timeout = fetch_timeout
        self._documents: dict[str, dict[str, Any]] = {}
        self._segments: dict[str, str] = {}
        self._operations: dict[str, list[Operation]] = {}
        self._audiences: dict[str, frozenset[str]] = {}
        self.unreachable: set[str] = set()
        self.document: dict[str, Any] = merge(own_document, {})
        self._last_refresh = 0.0
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def segments(self) -> Mapping[str, str]:
        return self._segments

    async def _fetch(self, name: str) -> dict[str, Any] | None:
        try:
            response = await self._upstreams[name].request(
                "GET", "/openapi.json", principal=None, timeout_seconds=self._fetch_timeout
            )
            if response.status_code != 200:
                raise ValueError(f"status {response.status_code}")
            document = response.json()
            if not isinstance(document, dict):
                raise ValueError("not an object")
        except Exception as exc:
            log.warning("no OpenAPI document from %s yet: %s", name, exc)
            return None
        return document

    async def refresh(self) -> None:
        async with self._lock:
            self._last_refresh = time.monotonic()
            names = [upstream.name for upstream in self._upstreams]
            fetched = await asyncio.gather(*(self._fetch(name) for name in names))
            for name, document in zip(names, fetched, strict=True):
                if document is not None:
                    self._documents[name] = document
                    self.unreachable.discard(name)
                elif name not in self._documents:
                    self.unreachable.add(name)
            segments: dict[str, str] = {}
            operations: dict[str, list[Operation]] = {}
            audiences: dict[str, frozenset[str]] = {}
            for name in names:  # settings order decides if two services claim one segment
                declared = audiences_of(self._documents.get(name, {}))
                for operation in operations_of(name, self._documents.get(name, {})):
                    segment = segment_of(operation.template)
                    if segment is None or segment in self._own_segments:
                        continue
                    owner = segments.setdefault(segment, name)
                    if owner != name:
                        log.error(
                            "%s and %s both serve /api/v1/%s; routing to %s", owner, name, segment, owner
                        )
                        continue
                    operations.setdefault(name, []).append(operation)
                    if segment in declared:
                        audiences[segment] = declared[segment]
            for segment in sorted(set(segments) - set(audiences)):
                log.error(
                    "%s declares no audience for /api/v1/%s: only services may call it",
                    segments[segment],
                    segment,
                )
            self._segments, self._operations, self._audiences = segments, operations, audiences
            self.document = merge(self._own_document, self._documents)
            if self._on_document is not None:
                self._on_document(self.document)

    async def service_for(self, segment: str) -> str | None:
        """The service owning a segment; refreshes first when it may belong to a service not yet seen."""
        owner = self._segments.get(segment)
        if owner is None and self.unreachable and time.monotonic() - self._last_refresh > 2.0:
            await self.refresh()
            owner = self._segments.get(segment)
        return owner

    def audience(self, segment: str) -> frozenset[str]:
        """The roles (values) the owner of ``segment`` lets reach it; none when it declares none."""
        return self._audiences.get(segment, frozenset())

    def operation(self, service: str, method: str, path: str) -> Operation | None:
        for operation in self._operations.get(service, ()):
            if operation.method == method and operation.pattern.match(path):
                return operation
        return None

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.refresh()
            except Exception:
                log.exception("refreshing the routing table failed")

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.create_task(self._refresh_forever(), name="route-table-refresh")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
