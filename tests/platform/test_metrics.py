"""What Prometheus scrapes: ``/metrics`` of every service, each a uvicorn process of its own (as deployed:
one registry per process, so a family seen here is one that service exports), plus the events library's
operational gauges against real Postgres and Kafka.

Families every service exports: request latency/count per route and status (rate, latency, errors),
consumer lag per group/topic/partition, outbox backlog and the age of its oldest row, DLQ depth and
dead-letter count; merchant-svc webhook outcomes per merchant; notify-svc sends per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from cheyou_devinfra import Infra
from cheyou_devinfra._process import free_port
from cheyou_devinfra.platform import SERVICES, Service
from cheyou_events import EventConsumer, OutboxRelay, OutboxSettings, add_event, ensure_topics, event_outbox
from cheyou_events.catalogue.member import TierChanged
from cheyou_events.envelope import Envelope
from cheyou_events.settings import ConsumerSettings
from cheyou_events.testing import tier_changed
from cheyou_events.topics import TOPICS
from cheyou_kit.errors import install_problem_handlers
from cheyou_kit.identity import generate_keypair
from cheyou_kit.observability import install_request_context
from cheyou_kit.testing import eventually, migrated_database
from fastapi import FastAPI, Request
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

ROOT = Path(__file__).resolve().parents[2]

EVERY_SERVICE = {
    "http_request_duration_seconds",
    "cheyou_events_consumer_lag",
    "cheyou_events_outbox_backlog",
    "cheyou_events_outbox_oldest_age_seconds",
    "cheyou_events_dlq_depth",
    "cheyou_events_dead_lettered",
    "cheyou_events_consumed",
    "cheyou_events_failed",
    "cheyou_events_published",
}
OWN = {
    "merchant-svc": {"cheyou_webhook_deliveries", "cheyou_webhook_endpoint_disabled"},
    "notify-svc": {"cheyou_notifications_sent"},
}
LABELS = {
    "http_request_duration_seconds": {"service", "method", "route", "status"},
    "cheyou_events_consumer_lag": {"group", "topic", "partition"},
    "cheyou_events_outbox_backlog": {"relay"},
    "cheyou_events_outbox_oldest_age_seconds": {"relay"},
    "cheyou_events_dlq_depth": {"group", "topic"},
    "cheyou_webhook_deliveries": {"merchant", "outcome"},
    "cheyou_webhook_endpoint_disabled": {"merchant"},
    "cheyou_notifications_sent": {"channel", "outcome"},
}


@dataclass
class Scrape:
    families: dict[str, list[tuple[str, dict[str, str], float]]]

    def samples(self, family: str) -> list[tuple[str, dict[str, str], float]]:
        return self.families.get(family, [])


def parse(text: str) -> Scrape:
    return Scrape(
        {
            family.name: [(s.name, dict(s.labels), s.value) for s in family.samples]
            for family in text_string_to_metric_families(text)
        }
    )


# ------------------------------------------------------------------------------------ every service


@pytest.fixture(scope="module")
async def service_processes(
    infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, str]]:
    """Each service as its own uvicorn process (the command of its Dockerfile) on a free port."""
    keys = tmp_path_factory.mktemp("metrics-keys")
    private, public = generate_keypair(keys)
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    run = uuid.uuid4().hex[:8]
    logs = tmp_path_factory.mktemp("metrics-logs")
    processes: dict[str, asyncio.subprocess.Process] = {}
    urls: dict[str, str] = {}
    try:
        for service in SERVICES:
            url = await migrated_database(infra, service.root, f"{service.database}_metrics")
            port = free_port()
            env = {
                **os.environ,
                **infra.env(),
                f"{service.env_prefix}DATABASE_URL": url,
                f"{service.env_prefix}CONSUMER_GROUP": f"{service.name}.metrics-{run}",
                "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public),
                "INTERNAL_TOKEN_PRIVATE_KEY_FILE": str(private),
                "OTEL_ENABLED": "false",
                "EVENTS_CONSUMER_METRICS_INTERVAL_S": "1",
                # the gateway's upstreams: nothing listens there, which it reports and survives
                **{f"{s.env_prefix}URL": f"http://127.0.0.1:{free_port()}" for s in SERVICES},
            }
            with (logs / f"{service.name}.log").open("ab") as log:
                processes[service.name] = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "uvicorn", f"{service.module}.main:create_app", "--factory",
                    "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                    cwd=ROOT, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT,
                )  # fmt: skip
            urls[service.name] = f"http://127.0.0.1:{port}"
        await _all_ready(urls, logs)
        yield urls
    finally:
        for process in processes.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):  # it may exit between the check and here
                    process.terminate()
        for process in processes.values():
            try:
                async with asyncio.timeout(30):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


async def _all_ready(urls: dict[str, str], logs: Path) -> None:
    """Waits for every /readyz; a service that never gets ready is named by its test, with its log."""
    async with httpx.AsyncClient(timeout=5) as http:
        for name, url in list(urls.items()):

            async def ready(url: str = url) -> bool | None:
                try:
                    return True if (await http.get(f"{url}/readyz")).status_code == 200 else None
                except httpx.HTTPError:
                    return None

            try:
                await eventually(ready, within=120)
            except TimeoutError:
                urls[name] = "not ready: " + (logs / f"{name}.log").read_text()[-3000:]


async def scrape(url: str) -> Scrape:
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
async def test_metrics_expose_every_family_the_dashboard_and_alerts_use(
    service_processes: dict[str, str], service: Service
) -> None:
    url = service_processes[service.name]
    if not url.startswith("http"):
        pytest.fail(f"{service.name} {url}")
    async with httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(f"{url}/no-such-route")).status_code == 404
        assert (await http.get(f"{url}/healthz")).status_code == 200

    async def reported() -> Scrape | None:
        # The relay reports on its first round, the consumer once it owns partitions and fetched.
        current = await scrape(url)
        wanted = ("cheyou_events_outbox_backlog", "cheyou_events_consumer_lag", "cheyou_events_dlq_depth")
        return current if all(current.samples(f) for f in wanted) else None

    metrics = await eventually(reported, within=120)

    expected = EVERY_SERVICE | OWN.get(service.name, set())
    assert expected <= set(metrics.families), f"missing: {sorted(expected - set(metrics.families))}"
    others = set().union(*OWN.values()) - OWN.get(service.name, set())
    assert not others & set(metrics.families), "a family of another service: the scrape is not its own"
    for family, labels in LABELS.items():
        for _, sample_labels, _ in metrics.samples(family):
            assert labels <= sample_labels.keys(), f"{family}: {sample_labels}"

    requests = {
        (s["route"], s["status"])
        for name, s, _ in metrics.samples("http_request_duration_seconds")
        if name == "http_request_duration_seconds_count" and s["service"] == service.name
    }
    assert ("/healthz", "200") in requests
    assert ("unmatched", "404") in requests
    relay = f"{service.name}-relay"
    assert [v for _, s, v in metrics.samples("cheyou_events_outbox_backlog") if s["relay"] == relay]
    ages = [
        v for _, s, v in metrics.samples("cheyou_events_outbox_oldest_age_seconds") if s["relay"] == relay
    ]
    assert ages
    assert all(age >= 0 for age in ages)
    group = f"{service.name}.metrics-"
    lags = [s for _, s, _ in metrics.samples("cheyou_events_consumer_lag") if s["group"].startswith(group)]
    assert lags
    assert all(s["partition"].isdigit() for s in lags)
    depths = [s for _, s, _ in metrics.samples("cheyou_events_dlq_depth") if s["group"].startswith(group)]
    assert [s["topic"] for s in depths] == [depths[0]["group"] + ".dlq"]


# ------------------------------------------------------------------------------------ the library


@pytest.fixture
async def events_db(infra: Infra) -> AsyncIterator[Any]:
    """A database with the events tables (member-svc's migrations create them)."""
    url = await migrated_database(infra, ROOT / "services" / "member-svc", "events_metrics")
    engine = create_async_engine(url)
    try:
        yield url, async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def test_the_outbox_backlog_and_the_age_of_its_oldest_row_are_reported_while_publishing_fails(
    infra: Infra, events_db: Any
) -> None:
    url, sessions = events_db
    async with sessions() as session, session.begin():
        await add_event(session, tier_changed("M-age", 0, source="/test"))
        await session.execute(update(event_outbox).values(created_at=func.now() - timedelta(minutes=10)))
    # Every publish fails, as while Kafka is unavailable: the relay's topics cannot exist (the name is not
    # a valid topic name) and the producer gives up on their metadata after a second.
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, request_timeout_ms=1000)
    await producer.start()
    name = f"age-{uuid.uuid4().hex[:6]}"
    relay = OutboxRelay(
        url, producer, OutboxSettings(error_backoff_s=0.05, topic_prefix="no such topic!"), name=name
    )
    await relay.start()
    try:

        async def reported() -> float | None:
            return REGISTRY.get_sample_value("cheyou_events_outbox_oldest_age_seconds", {"relay": name})

        age = await eventually(reported, within=30)
        backlog = REGISTRY.get_sample_value("cheyou_events_outbox_backlog", {"relay": name})
    finally:
        await relay.stop()
        await producer.stop()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).where(event_outbox.c.published_at.is_(None))) == 1
    assert age >= 600
    assert backlog == 1


async def test_the_dlq_depth_counts_what_was_dead_lettered_and_not_drained(
    infra: Infra, events_db: Any
) -> None:
    _, sessions = events_db
    prefix = f"m{uuid.uuid4().hex[:8]}."
    topic, group = f"{prefix}member.events", f"{prefix}group"
    await ensure_topics(infra.kafka_bootstrap, {topic: 2})

    async def never_called(session: Any, event: Envelope[Any]) -> None:
        raise AssertionError("a malformed event reached the handler")

    consumer = EventConsumer(
        group_id=group,
        topics=[topic],
        handlers={TierChanged.event_type: never_called},
        session_factory=sessions,
        bootstrap=infra.kafka_bootstrap,
        settings=ConsumerSettings(metrics_interval_s=0.5, aux_topic_partitions=2),
    )
    await consumer.start()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
        await producer.start()
        try:
            for n in range(3):  # poison pills: a type no catalogue knows goes straight to the DLQ
                await producer.send_and_wait(
                    topic,
                    b"{}",
                    key=f"M-{n}".encode(),
                    headers=[("ce_type", b"cheyou.nobody.knows.v1"), ("ce_id", str(uuid.uuid4()).encode())],
                )
        finally:
            await producer.stop()

        async def three() -> float | None:
            value = REGISTRY.get_sample_value(
                "cheyou_events_dlq_depth", {"group": group, "topic": f"{group}.dlq"}
            )
            return value if value == 3 else None

        assert await eventually(three, within=60) == 3
        assert await consumer.dlq_depth() == 3
    finally:
        await consumer.stop()


async def test_an_unhandled_error_counts_as_a_500_of_its_route_and_a_handler_may_name_its_route() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    install_request_context(app, "metrics-test")

    @app.get("/boom/{thing}")
    async def boom(thing: str) -> None:
        raise RuntimeError(f"no {thing}")

    @app.get("/forward/{path:path}")
    async def forward(request: Request, path: str) -> dict[str, str]:
        # as the gateway could: count under the template of what it forwarded to, not its catch-all
        request.state.metrics_route = "/members/{member_id}"
        return {"forwarded": path}

    labels = {"service": "metrics-test", "method": "GET", "route": "/boom/{thing}", "status": "500"}
    before = REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) or 0
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/boom/thing")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        forwarded = await http.get("/forward/members/42")
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) == before + 1
    assert forwarded.status_code == 200
    named = {**labels, "route": "/members/{member_id}", "status": "200"}
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", named) == 1
