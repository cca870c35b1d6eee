"""W3C trace context through Kafka headers (opentelemetry-api; the SDK is the service's choice)."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context

tracer = trace.get_tracer("cheyou_events")


def current_trace_context() -> tuple[str | None, str | None]:
    """``(traceparent, tracestate)`` of the current span, stored in the outbox row at write time."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate") or None


def context_from_headers(headers: Mapping[str, str]) -> Context:
    return propagate.extract(headers)
