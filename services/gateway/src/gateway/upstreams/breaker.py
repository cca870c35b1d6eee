"""A circuit breaker per service: after N failures in a row, fail fast for a while, then let one
request probe the service before closing again.

Hand-written (about forty lines) because a failure here is also a 502/503/504 *answer*, not only an
exception, which the asyncio breaker libraries only count when the caller raises.
"""

from __future__ import annotations

import time


class CircuitBreaker:
    def __init__(self, threshold: int, reset_seconds: float) -> None:
        self._threshold = threshold
        self._reset = reset_seconds
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._probing or self._cooled_down() else "open"

    def _cooled_down(self) -> bool:
        return self._opened_at is not None and time.monotonic() - self._opened_at >= self._reset

    def retry_after(self) -> float | None:
        """None when a request may go; otherwise the seconds until one may."""
        if self._opened_at is None:
            return None
        if not self._probing and self._cooled_down():
            self._probing = True  # this request is the probe; the others keep failing fast
            return None
        return max(self._reset - (time.monotonic() - self._opened_at), 1.0)

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._threshold:
            self._opened_at = time.monotonic()
            self._probing = False
