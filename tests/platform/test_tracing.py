"""One user action is one trace: gateway → member-svc → outbox → Kafka → privilege-svc → outbox → Kafka.

The gateway, member-svc and privilege-svc run in this process, each a real uvicorn server on a thread of
its own with its real lifespan (relay, consumers) against the run's Postgres, Redis and Kafka, with
tracing on as in production; the OpenTelemetry SDK's in-memory exporter collects every span. The action:
ops sets a member's tier floor through the gateway (``PUT /members/{id}/tier-floor``); member-svc lifts
the member and writes ``member.tier_changed`` to its outbox; privilege-svc consumes it and writes
``privilege.entitlements_changed`` to its own.

The same run checks the logs: JSON lines, the trace id on lines written inside a trace, and none of the
member's personal data (name, phone, ID-card number) sent at registration.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gateway.config
import gateway.main
import httpx
import member_svc.config
import member_svc.main
import privilege_svc.config
import privilege_svc.main
import pytest
from cheyou_demo import ADMIN_PASSWORD, STAFF_PASSWORD, Platform, id_number, phone_number, plate
from cheyou_devinfra import Infra
from cheyou_events import TOPICS, ensure_topics
from cheyou_events.catalogue.member import TierChanged
from cheyou_events.catalogue.privilege import EntitlementsChanged
from cheyou_fakes import running
from cheyou_kit.observability import configure_logging
from cheyou_kit.testing import Identities, eventually, migrated_database
from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:9"  # the services this flow does not touch


class _Switchable(SpanProcessor):
    """Forwards to the in-memory exporter while the test runs; the global provider outlives the test
    (OpenTelemetry allows setting it once per process), this stops it from collecting afterwards."""

    def __init__(self, exporter: InMemorySpanExporter) -> None:
        self._inner = SimpleSpanProcessor(exporter)
        self.enabled = True

    def on_end(self, span: ReadableSpan) -> None:
        if self.enabled:
            self._inner.on_end(span)


class _Lines(io.TextIOBase):
    """Where the services' log handler writes during the test (they run on other threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._text: list[str] = []

    def write(self, text: str) -> int:
        with self._lock:
            self._text.append(text)
        return len(text)

    def lines(self) -> list[str]:
        with self._lock:
            return [line for line in "".join(self._text).splitlines() if line.strip()]


@dataclass
class Running:
    gateway: str
    spans: InMemorySpanExporter
    logs: _Lines
    privilege_group: str


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    switch = _Switchable(spans)
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider(resource=Resource.create({"service.name": "cheyou-platform-test"}))
        trace.set_tracer_provider(provider)
    provider.add_span_processor(switch)
    try:
        yield spans
    finally:
        switch.enabled = False
        HTTPXClientInstrumentor().uninstrument()  # configure_tracing instruments httpx process-wide


@pytest.fixture(scope="module")
async def platform(
    infra: Infra, exporter: InMemorySpanExporter, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    identities = Identities(tmp_path_factory.mktemp("trace-keys"))
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    run = uuid.uuid4().hex[:8]
    common = {
        **infra.env(),
        "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
        "LOG_JSON": True,
        "OTEL_ENABLED": True,
    }

    async def settings_of(module: Any, root: Path, **extra: Any) -> Any:
        settings_cls = module.Settings
        url = await migrated_database(infra, root, f"{settings_cls.database_name}_trace")
        return settings_cls.model_validate(
            {
                **common,
                "database_url": url,
                # Groups of this run's own: the consumer span must name this platform's group.
                "consumer_group": f"{settings_cls.service_name}.trace-{run}",
                **extra,
            }
        )

    member = await settings_of(member_svc.config, ROOT / "services" / "member-svc")
    privilege = await settings_of(privilege_svc.config, ROOT / "services" / "privilege-svc")
    root_logger = logging.getLogger()
    saved_handlers, saved_level = root_logger.handlers[:], root_logger.level
    logs = _Lines()
    with ExitStack() as servers:
        member_url = servers.enter_context(running(member_svc.main.create_app(member)))
        privilege_url = servers.enter_context(running(privilege_svc.main.create_app(privilege)))
        gateway_settings = await settings_of(
            gateway.config,
            ROOT / "services" / "gateway",
            INTERNAL_TOKEN_PRIVATE_KEY_FILE=str(identities.public_key_file.with_name("internal-token.key")),
            MEMBER_URL=member_url,
            PRIVILEGE_URL=privilege_url,
            MERCHANT_URL=UNREACHABLE,
            CLAIMS_URL=UNREACHABLE,
            NOTIFY_URL=UNREACHABLE,
            access_token_secret="a-test-key-of-the-gateway-only-0123456789",
            seed_demo_staff=True,
            demo_staff_password=STAFF_PASSWORD,
            demo_admin_password=ADMIN_PASSWORD,
            rate_limit_per_ip=100_000,
            rate_limit_per_principal=100_000,
            login_rate_limit_per_ip=100_000,
        )
        gateway_url = servers.enter_context(running(gateway.main.create_app(gateway_settings)))
        # Every app configured the process's logging the same way (JSON, trace ids, masking) on start:
        # its one handler now writes where the test can read.
        [handler] = root_logger.handlers
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(logs)
        try:
            yield Running(gateway_url, exporter, logs, privilege.group_id)
        finally:
            servers.close()
            root_logger.handlers[:] = saved_handlers
            root_logger.setLevel(saved_level)


# ------------------------------------------------------------------------------------------- helpers


async def routes_learned(driver: Platform, ops: httpx.AsyncClient) -> None:
    """The gateway learns each service's paths from its OpenAPI document, shortly after start-up."""

    async def answered() -> bool | None:
        response = await ops.get("/members", params={"limit": 1})
        return True if response.status_code == 200 else None

    await eventually(answered)


async def registered_and_verified(
    driver: Platform, ops: httpx.AsyncClient, reviewer: httpx.AsyncClient, person: dict[str, Any]
) -> str:
    response = await ops.post("/members", json=person)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["member_id"]
    await driver.verify(reviewer, member_id)
    return member_id


def a_person() -> dict[str, Any]:
    rng = random.Random()
    return {
        "name": "林" + rng.choice(["晓东", "丽华", "建平", "秀英"]),
        "id_number": id_number(rng),
        "phone": phone_number(rng),
        "vehicles": [{"plate": plate(rng)}],
        "region_code": "350102",
    }


def spans_of_trace(spans: InMemorySpanExporter, trace_id: int) -> dict[int, ReadableSpan]:
    return {
        span.context.span_id: span
        for span in spans.get_finished_spans()
        if span.context is not None and span.context.trace_id == trace_id
    }


def started(span: ReadableSpan) -> int:
    assert span.start_time is not None, f"{span.name} has not started"
    return span.start_time


def parent_of(span: ReadableSpan, in_trace: dict[int, ReadableSpan]) -> ReadableSpan:
    assert span.parent is not None, f"{span.name} has no parent"
    assert span.parent.span_id in in_trace, f"the parent of {span.name} is not in the trace"
    return in_trace[span.parent.span_id]


# ------------------------------------------------------------------------------------------- tests


async def test_a_tier_floor_set_through_the_gateway_is_one_trace_to_the_entitlements_push(
    platform: Running,
) -> None:
    driver = Platform(platform.gateway, UNREACHABLE, UNREACHABLE, b"")
    try:
        ops, reviewer = await driver.staff("ops1"), await driver.staff("reviewer1")
        await routes_learned(driver, ops)
        member_id = await registered_and_verified(driver, ops, reviewer, a_person())
        platform.spans.clear()

        response = await ops.put(
            f"/members/{member_id}/tier-floor",
            json={
                "tier": "four_star",
                "reason": "VIP by the branch manager",
                "expires_on": (date.today() + timedelta(days=90)).isoformat(),
            },
        )
        assert response.status_code == 200, response.text
    finally:
        await driver.aclose()

    member_floor = "/api/v1/members/{member_id}/tier-floor"

    def the_request() -> ReadableSpan | None:
        found = [
            s
            for s in platform.spans.get_finished_spans()
            if s.kind == SpanKind.SERVER and (s.attributes or {}).get("http.route") == member_floor
        ]
        return found[0] if found else None

    async def request_span() -> ReadableSpan | None:
        return the_request()

    served = await eventually(request_span)
    assert served.context is not None
    trace_id = served.context.trace_id

    def pushed() -> ReadableSpan | None:
        found = [
            s
            for s in spans_of_trace(platform.spans, trace_id).values()
            if s.name == f"{EntitlementsChanged.event_type} publish"
        ]
        return found[0] if found else None

    async def entitlements_published() -> ReadableSpan | None:
        return pushed()

    push = await eventually(entitlements_published)
    in_trace = spans_of_trace(platform.spans, trace_id)

    # privilege-svc's relay published the push, as the child of its consumer's processing of the tier change
    assert push.kind == SpanKind.PRODUCER
    assert (push.attributes or {})["messaging.destination.name"] == "privilege.events"
    processed = parent_of(push, in_trace)
    assert processed.name == f"{TierChanged.event_type} process"
    assert processed.kind == SpanKind.CONSUMER
    assert (processed.attributes or {})["messaging.consumer.group.name"] == platform.privilege_group
    # … which continued member-svc's relay publishing the tier change to Kafka …
    published = parent_of(processed, in_trace)
    assert published.name == f"{TierChanged.event_type} publish"
    assert published.kind == SpanKind.PRODUCER
    assert (published.attributes or {})["messaging.destination.name"] == "member.events"
    assert (published.attributes or {})["messaging.message.id"] == (processed.attributes or {}).get(
        "messaging.message.id"
    )
    # … from the outbox row member-svc wrote while serving the request …
    assert parent_of(published, in_trace).context == served.context
    # … which the gateway forwarded (its client span) while serving the caller's request, the root.
    forwarded = parent_of(served, in_trace)
    assert forwarded.kind == SpanKind.CLIENT
    assert (forwarded.attributes or {}).get(
        "http.request.method", (forwarded.attributes or {}).get("http.method")
    ) == "PUT"
    gateway_server = forwarded
    while gateway_server.kind != SpanKind.SERVER:
        gateway_server = parent_of(gateway_server, in_trace)
    assert (gateway_server.attributes or {}).get("http.route") == "/api/v1/{path:path}"
    # The caller is the root: this test's own httpx client (instrumented process-wide, as a browser with
    # OpenTelemetry would be); without it the gateway's server span starts the trace.
    caller = parent_of(gateway_server, in_trace)
    assert caller.kind == SpanKind.CLIENT
    assert caller.parent is None

    # One connected trace: every span's parent is in it, and it has exactly one root.
    roots = [s for s in in_trace.values() if s.parent is None]
    assert roots == [caller]
    assert all(s.parent is None or s.parent.span_id in in_trace for s in in_trace.values())
    # and the timeline runs forward through the hops
    assert started(gateway_server) <= started(served) <= started(published) <= started(processed)
    assert started(processed) <= started(push)


async def test_logs_are_json_with_the_trace_id_and_without_the_members_personal_data(
    platform: Running,
) -> None:
    person = a_person()
    driver = Platform(platform.gateway, UNREACHABLE, UNREACHABLE, b"")
    try:
        ops, reviewer = await driver.staff("ops1"), await driver.staff("reviewer1")
        await routes_learned(driver, ops)
        await registered_and_verified(driver, ops, reviewer, person)
        tracer = trace.get_tracer("test")
        with tracer.start_as_current_span("a step of a user action") as span:
            # What a careless handler could log: it comes out masked, with the trace id.
            logging.getLogger("member_svc.members").warning(
                "could not reach %s (ID %s)", person["phone"], person["id_number"]
            )
            trace_id = format(span.get_span_context().trace_id, "032x")
        await asyncio.sleep(0)
    finally:
        await driver.aclose()

    lines = platform.logs.lines()
    assert lines, "the services wrote no log line"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message", "service"} <= r.keys() for r in records)
    [warning] = [r for r in records if r["message"].startswith("could not reach")]
    assert warning["trace_id"] == trace_id
    assert warning["span_id"]
    # decoded (names are written as JSON escapes) and as written
    text = "\n".join([*lines, *(json.dumps(r, ensure_ascii=False) for r in records)])
    for value in (person["name"], person["phone"], person["id_number"]):
        assert value not in text
    assert f"{person['phone'][:3]}***{person['phone'][-2:]}" in warning["message"]


def test_the_kit_logs_unhandled_errors_as_json_with_the_traceback_masked() -> None:
    stream = _Lines()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("trace-test", "INFO", json=True)
        [handler] = root.handlers
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        try:
            raise ValueError("no member with phone 13912345678")
        except ValueError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    [line] = stream.lines()
    record = json.loads(line)
    assert record["logger"] == "uvicorn.error"
    assert record["service"] == "trace-test"
    assert "ValueError" in record["exc_info"]
    assert "13912345678" not in line
    assert "139***78" in record["exc_info"]
