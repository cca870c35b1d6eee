"""The client-side ledger: every write the workload sends, with its ``Idempotency-Key`` and what became
of it — acknowledged (a 2xx), refused (a 4xx: nothing written), or unknown (the answer was lost and the
gateway would not say: ``idempotency-outcome-unknown``, or the retries ran out).

A write whose answer is lost (a timeout, a reset connection, a 5xx while a service restarts) is sent
again with the *same* key, as a real client does; the checks then require each acknowledged write to
exist exactly once and each unknown one at most once.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from cheyou_demo.client import OUTCOME_UNKNOWN, Caller, LoadError, problem_type

KEY_IN_USE = "https://cheyou.dev/problems/idempotency-key-in-use"
UNAVAILABLE = "https://cheyou.dev/problems/dependency-unavailable"


@dataclass
class Write:
    kind: str
    key: str
    method: str
    path: str
    outcome: str = "pending"  # acknowledged, refused, unknown
    status: int | None = None
    problem: str | None = None
    object_id: str | None = None
    attempts: int = 0
    replayed: bool = False
    """An answer the gateway replayed from its key store (a retry of a write that had been done)."""
    info: dict[str, Any] = field(default_factory=dict)
    """What the checks need to find the write's effect (member, amounts, the planned outcome…)."""


class Ledger:
    def __init__(self) -> None:
        self.writes: list[Write] = []
        self.retries_same_key = 0
        """Sends of a write again with the key it already had (the answer of the earlier one lost)."""

    def of(self, kind: str, *outcomes: str) -> list[Write]:
        return [w for w in self.writes if w.kind == kind and (not outcomes or w.outcome in outcomes)]

    def counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for write in self.writes:
            table.setdefault(write.kind, Counter())[write.outcome] += 1
        return {kind: dict(counter) for kind, counter in sorted(table.items())}

    def as_rows(self) -> list[dict[str, Any]]:
        return [asdict(w) for w in self.writes]

    async def write(
        self,
        caller: Caller,
        kind: str,
        method: str,
        path: str,
        *,
        expect: Collection[int] = (200, 201, 202),
        lagging: Callable[[httpx.Response], bool] | None = None,
        within: float = 600.0,
        info: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[Write, httpx.Response | None]:
        """Send one write until it is answered for good; returns its ledger entry and the answer.

        ``lagging(answer)``: a 4xx that only says a projection has not caught up yet (no cover, not
        offered); it wrote nothing, so the write goes again later under a fresh key (the gateway keeps
        the 4xx under the old one)."""
        entry = Write(kind, uuid.uuid4().hex, method, path, info=dict(info or {}))
        self.writes.append(entry)
        deadline = time.monotonic() + within
        delay = 0.3
        while True:
            headers = {**caller.headers, "Idempotency-Key": entry.key}
            entry.attempts += 1
            if entry.attempts > 1:
                self.retries_same_key += 1
            try:
                response: httpx.Response | None = await caller.gateway.api.request(
                    method, path, headers=headers, **kwargs
                )
            except httpx.TransportError:
                response = None  # the answer is lost: the same key again
            if response is not None:
                entry.status = response.status_code
                entry.problem = problem_type(response) if response.status_code >= 400 else None
            if response is not None and response.status_code in expect:
                entry.outcome = "acknowledged"
                entry.replayed = response.headers.get("idempotent-replayed") == "true"
                body = response.json() if response.content else {}
                entry.object_id = str(body.get("id") or body.get("member_id") or "") or None
                return entry, response
            now = time.monotonic()
            if response is not None and response.status_code == 401 and await caller.refresh():
                continue  # the key is scoped to the principal's subject, which a new token keeps
            if response is not None and response.status_code == 409 and entry.problem == OUTCOME_UNKNOWN:
                entry.outcome = "unknown"
                return entry, response
            retryable = (
                response is None
                or response.status_code in (429, 500, 502, 503, 504)
                or (response.status_code == 409 and entry.problem == KEY_IN_USE)
            )
            if retryable and now < deadline:
                wait = float(response.headers.get("Retry-After", delay)) if response is not None else delay
                await asyncio.sleep(min(wait, 5.0) + random.random() * 0.3)
                delay = min(delay * 1.7, 5.0)
                continue
            if retryable:
                entry.outcome = "unknown"
                return entry, response
            assert response is not None
            if lagging is not None and lagging(response) and now < deadline:
                # Nothing was written: the same write again later, under a new key.
                entry.outcome = "refused"
                entry = Write(kind, uuid.uuid4().hex, method, path, info=dict(entry.info))
                self.writes.append(entry)
                await asyncio.sleep(delay + random.random() * 0.3)
                delay = min(delay * 1.5, 5.0)
                continue
            entry.outcome = "refused"
            return entry, response


async def until(
    probe: Callable[[], Awaitable[Any]], within: float = 600.0, what: str = "", every: float = 0.5
) -> Any:
    """``probe()``'s first truthy value; transport errors and 5xx while a process restarts are waited out."""
    deadline = time.monotonic() + within
    while True:
        try:
            value = await probe()
        except (httpx.HTTPError, LoadError, KeyError, ValueError):
            value = None  # not there yet (a projection lags, a process restarts)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done after {within:.0f}s: {what}")
        await asyncio.sleep(every + random.random() * every)
