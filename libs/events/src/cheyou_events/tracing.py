"""W3C trace context through Kafka headers (opentelemetry-api; the SDK is the service's choice).

One user action is one trace: the outbox row keeps the trace context of the span that wrote it, the relay
publishes each traced row inside a PRODUCER ``publish`` span (child of that context) and sends *its* context
in the headers, and the consumer's CONSUMER ``process`` span is the child of it, so events the handler
writes continue the same trace. Untraced rows (written outside any span) stay untraced: no span, no header.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind

tracer = trace.get_tracer("cheyou_events")


def current_trace_context() -> tuple[str | None, str | None]:
    """``(traceparent, tracestate)`` of the current span, stored in the outbox row at write time."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate") or None


def context_from_headers(headers: Mapping[str, str]) -> Context:
    return propagate.extract(headers)


def start_publish_span(
    *, event_type: str, event_id: str, topic: str, traceparent: str | None, tracestate: str | None
) -> Span | None:
    """The relay's PRODUCER span for one outbox row, child of the row's stored context (the caller ends
    it once the broker acknowledged); None for a row that was written outside any trace."""
    if traceparent is None:
        return None
    carrier = {"traceparent": traceparent, **({"tracestate": tracestate} if tracestate else {})}
    return tracer.start_span(
        f"{event_type} publish",
        context=propagate.extract(carrier),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": topic,
            "messaging.message.id": event_id,
            "cloudevents.event_type": event_type,
        },
    )


def span_trace_context(span: Span) -> tuple[str | None, str | None]:
    """``(traceparent, tracestate)`` naming ``span`` as the parent (for the record's headers)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent"), carrier.get("tracestate") or None
