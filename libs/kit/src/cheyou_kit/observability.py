"""Request ids, JSON logs carrying trace ids, OpenTelemetry tracing and Prometheus metrics.

Traces: one per user action, across gateway → service (the httpx client carries the W3C trace context)
→ outbox → Kafka → consumer → service (``cheyou_events`` stores and forwards it). The exporter follows the
standard variables: ``OTEL_TRACES_EXPORTER`` = ``otlp`` (HTTP/protobuf to ``OTEL_EXPORTER_OTLP_ENDPOINT``),
``console`` or ``none``; sampling ``OTEL_TRACES_SAMPLER``/``…_ARG`` (read by the SDK).

Logs: JSON on stderr with ``trace_id``/``span_id``; mainland phone and ID-card numbers are masked in every
line as a safety net (names cannot be recognised: code must not log them, and does not).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterable

from fastapi import FastAPI, Response
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cheyou_kit.trace_scrubbing import ScrubbingSpanProcessor

REQUEST_ID_HEADER = "X-Request-ID"
METRICS_ROUTE = "metrics_route"
"""``request.state`` attribute a handler may set to the route template its request counts under."""

HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route and status.",
    ["service", "method", "route", "status"],
)


# Mainland mobile numbers and ID-card numbers, not inside a longer token (hex trace ids, offsets, uuids).
_PII = re.compile(r"(?<![0-9A-Za-z])(?:1[3-9][0-9]{9}|[1-9][0-9]{16}[0-9Xx])(?![0-9A-Za-z])")


def mask_pii(text: str) -> str:
    """Phone and ID-card numbers in ``text`` masked as their first 3 and last 2 characters."""
    return _PII.sub(lambda m: f"{m.group()[:3]}***{m.group()[-2:]}", text)


class _PiiMaskingFormatter(logging.Formatter):
    """Wraps the line formatter: whatever a message, an ``extra`` or a traceback carries, the written
    line has no phone or ID-card number."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return mask_pii(self._inner.format(record))


class _TraceContextFilter(logging.Filter):
    """Adds the current trace and span ids to every record, so logs join traces."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else None
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else None
        return True


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_TraceContextFilter())
    if json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s %(span_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    handler.setFormatter(_PiiMaskingFormatter(handler.formatter or logging.Formatter()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    # uvicorn's command line installs plain-text handlers of its own before it builds the app: its lines
    # (start-up, "Exception in ASGI application") go through ours instead, as JSON with the trace id.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        if name == "uvicorn.access" and not uvicorn_logger.propagate and not uvicorn_logger.handlers:
            # `--no-access-log` (every image and the launcher): uvicorn writes an access line only while
            # this logger has a handler, so it stays without one — a JSON line per request was 2-4 % of a
            # small read's CPU (issue 20); the latency histogram and the traces count requests instead.
            continue
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True


def span_exporter() -> SpanExporter | None:
    """The exporter the standard variables ask for: ``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``,
    ``none``); unset means OTLP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``…_TRACES_ENDPOINT``) is set and
    none otherwise (local runs). OTLP goes over HTTP/protobuf (port 4318 of a collector)."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    chosen = os.environ.get("OTEL_TRACES_EXPORTER", "otlp" if endpoint else "none").strip().lower()
    if chosen == "none":
        return None
    if chosen == "console":
        return ConsoleSpanExporter()
    if chosen != "otlp":
        raise ValueError(f"OTEL_TRACES_EXPORTER={chosen!r}: this service exports 'otlp', 'console' or 'none'")
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol != "http/protobuf":
        raise ValueError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: the services export OTLP over http/protobuf "
            "(a collector's port 4318)"
        )
    return OTLPSpanExporter()


_scrubbing: ScrubbingSpanProcessor | None = None


def exporting_processor(exporter: SpanExporter, secrets: Iterable[str] = ()) -> ScrubbingSpanProcessor:
    """What every span goes through on its way out: scrubbed (query strings by allow-list, the service's
    secret values; :mod:`cheyou_kit.trace_scrubbing`), then batched to ``exporter``."""
    return ScrubbingSpanProcessor(BatchSpanProcessor(exporter), secrets)


def configure_tracing(app: FastAPI, service: str, secrets: Iterable[str] = ()) -> None:
    """Server spans for the app's routes, client spans (and the trace context) on every httpx call, and
    a tracer provider for the process unless one is set already (the first service of a process names it).
    ``secrets``: the service's secret setting values, never exported whatever span carries them.

    Spans are recorded only when they go somewhere: an exporter is configured (:func:`span_exporter`)
    or a tracer provider was set before (a test's in-memory exporter). Otherwise no SDK provider is set
    — OpenTelemetry's no-op tracer hands every span its parent's context, so httpx calls and events still
    carry the trace on — and :class:`TraceContextMiddleware` replaces the server spans: it continues the
    caller's trace (or starts an id) for the request, which is all the log lines and the calls it makes
    need. Recording server spans nobody exports was ~15 % of a small read's CPU (issue 20)."""
    global _scrubbing
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        exporter = span_exporter()
        if exporter is None:
            app.add_middleware(TraceContextMiddleware)
            _instrument_httpx()
            return
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        _scrubbing = exporting_processor(exporter, secrets)
        provider.add_span_processor(_scrubbing)
        trace.set_tracer_provider(provider)
    elif _scrubbing is not None:
        _scrubbing.scrubber.add(secrets)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    _instrument_httpx()


def _instrument_httpx() -> None:
    instrumentor = HTTPXClientInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


class TraceContextMiddleware:
    """The trace context of each request without a recorded span: the caller's W3C ``traceparent`` when
    it sent one, else a new trace id, current while the request runs (log lines carry it; httpx calls and
    the outbox pass it on through the no-op tracer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        parent = trace.get_current_span(_W3C.extract(_TraceparentGetter(scope))).get_span_context()
        if not parent.is_valid:
            parent = trace.SpanContext(
                trace_id=_IDS.generate_trace_id(),
                span_id=_IDS.generate_span_id(),
                is_remote=False,
                trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
            )
        token = otel_context.attach(trace.set_span_in_context(trace.NonRecordingSpan(parent)))
        try:
            await self.app(scope, receive, send)
        finally:
            otel_context.detach(token)


class _TraceparentGetter(dict[str, list[str]]):
    """The W3C headers of an ASGI scope, as the propagator reads a carrier."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        for name, value in scope["headers"]:
            if name in (b"traceparent", b"tracestate"):
                self.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))


_W3C = TraceContextTextMapPropagator()
_IDS = RandomIdGenerator()


class RequestContextMiddleware:
    """Gives each request an id (the caller's ``X-Request-ID`` or a new one) in ``request.state`` and the
    response, and observes its latency by route and status.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware`` runs every
    request in a task group with a streamed response copy, the largest per-request cost the profiles of
    issue 20 showed below the routes."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get(REQUEST_ID_HEADER) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = "500"  # an unhandled error is answered (problem details) outside this middleware

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # A handler that serves many paths (the gateway's forwarding) names the route it served in
            # ``request.state.metrics_route``; otherwise the matched route's template.
            route = scope["state"].get(METRICS_ROUTE) or getattr(scope.get("route"), "path", "unmatched")
            HTTP_LATENCY.labels(self.service, scope["method"], route, status).observe(
                time.perf_counter() - started
            )


def install_request_context(app: FastAPI, service: str) -> None:
    app.add_middleware(RequestContextMiddleware, service=service)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
