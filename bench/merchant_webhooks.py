"""merchant-svc webhooks: deliveries/s to a local receiver and p99 from event to delivery, with all ten
merchant endpoints healthy and with one of the ten hanging.

    python bench/merchant_webhooks.py [--orders 2000] [--drain 3000]

Uses POSTGRES_DSN / REDIS_URL / KAFKA_BOOTSTRAP_SERVERS when all are set (``make bench``); otherwise
starts them through cheyou_devinfra for the run and stops them afterwards.

Runs, in one process against one receiver (uvicorn, its own process):
- baseline: raw httpx POSTs of signed bodies to the receiver, 64 concurrent (no database, no retries);
- drain: deliveries already queued in Postgres, sent by the delivery worker (claim, sign, POST, log);
- pipeline: ``privilege.order_requested`` on Kafka → consumer → dispatch (merchant chosen, webhook
  queued in the same transaction) → worker → receiver, over ten merchants; latency = event published →
  webhook received;
- pipeline, one hanging: the same with one of the ten endpoints never answering; throughput and latency
  of the nine healthy merchants' deliveries. Target: ≥ 80 % of the all-healthy throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from cheyou_events import TOPICS, Envelope, ensure_topics, to_record
from cheyou_events.catalogue.privilege import PrivilegeOrderRequested
from cheyou_kit.db import create_engine, create_session_factory
from cheyou_kit.migrations import upgrade
from cheyou_kit.testing import app_client
from harness import free_port, machine, percentile
from merchant_svc.config import Settings
from merchant_svc.main import create_app
from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.models import Category, MerchantStatus
from merchant_svc.merchants.schemas import ContractCreate, MerchantCreate
from merchant_svc.pii import cipher_for
from merchant_svc.webhooks import service as webhooks
from merchant_svc.webhooks import signing
from merchant_svc.webhooks.schemas import EndpointCreate, WebhookEventType
from merchant_svc.webhooks.url_policy import destinations_for
from sqlalchemy.engine import make_url

ROOT = Path(__file__).parents[1]
SERVICE_ROOT = ROOT / "services" / "merchant-svc"
MERCHANTS = 10
CITY = "350100"
RESULTS = ROOT / "bench" / "results" / "merchant-svc.md"


# --- the receiver: uvicorn in its own process, recording when each order's webhook arrived ----------


def _receiver_app() -> Any:
    arrived: dict[str, float] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "GET":
            payload = json.dumps(arrived).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        if scope["path"].startswith("/hang"):
            await asyncio.sleep(3600)
        arrived[json.loads(body)["data"]["order_id"]] = time.time()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def _serve(port: int) -> None:
    import uvicorn

    uvicorn.run(_receiver_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def arrivals(base: str) -> dict[str, float]:
    async with httpx.AsyncClient() as client:
        found: dict[str, float] = (await client.get(f"{base}/stats")).json()
        return found


async def wait_for(base: str, order_ids: set[str], within_s: float = 300) -> dict[str, float]:
    deadline = time.monotonic() + within_s
    while True:
        seen = await arrivals(base)
        if order_ids <= seen.keys() or time.monotonic() > deadline:
            return {k: v for k, v in seen.items() if k in order_ids}
        await asyncio.sleep(0.1)


# --- measurements ---------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    deliveries: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds

    def pct(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def row(self) -> str:
        p50, p99 = self.pct(0.5), self.pct(0.99)
        return f"| {self.name} | {self.deliveries:,} | {self.rate:,.0f} | {p50:,.1f} ms | {p99:,.1f} ms |"


async def bench_baseline(base: str, n: int) -> Result:
    secret = signing.generate_secret()
    slots = asyncio.Semaphore(64)
    sent: dict[str, float] = {}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=64)) as client:

        async def post(i: int) -> None:
            order_id = f"raw-{uuid.uuid4().hex[:10]}-{i}"
            body = json.dumps({"type": "order.dispatched", "data": {"order_id": order_id}}).encode()
            async with slots:
                sent[order_id] = time.time()
                headers = signing.headers([secret], f"msg_{order_id}", int(time.time()), body)
                await client.post(f"{base}/hooks/raw", content=body, headers=headers)

        started = time.time()
        await asyncio.gather(*(post(i) for i in range(n)))
    seen = await wait_for(base, set(sent))
    return Result(
        "baseline: raw httpx POST, 64 concurrent",
        len(seen),
        max(seen.values()) - started,
        [(seen[k] - sent[k]) * 1000 for k in seen],
    )


async def setup_merchants(settings: Settings, base: str, hanging: bool) -> list[str]:
    """Ten active merchants, each contracted for a privilege of its own, each with one endpoint."""
    engine = create_engine(settings.sqlalchemy_url)
    sessions = create_session_factory(engine)
    cipher, destinations = cipher_for(settings.pii_key), destinations_for(settings.webhook_allowed_networks)
    privileges = []
    async with sessions() as session, session.begin():
        tag = uuid.uuid4().hex[:6]
        for i in range(MERCHANTS):
            privilege = f"bench.{tag}.{i}"
            merchant = await merchants.create(
                session,
                cipher,
                MerchantCreate(name=f"bench-{tag}-{i}", category=Category.RESCUE, city_codes=[CITY]),
            )
            await merchants.add_contract(
                session,
                merchant.id,
                ContractCreate(
                    privilege_ids=[privilege],
                    city_codes=[CITY],
                    unit_price_fen=1000,
                    starts_on=date(2026, 1, 1),
                    ends_on=date(2030, 12, 31),
                    max_open_orders=100_000,
                ),
            )
            await merchants.change_status(session, merchant.id, MerchantStatus.ACTIVE, "bench")
            path = "/hang" if hanging and i == 0 else "/hooks"
            await webhooks.create_endpoint(
                session,
                EndpointCreate(merchant_id=merchant.id, url=f"{base}{path}/{i}"),
                settings,
                destinations,
                cipher,
            )
            privileges.append(privilege)
    await engine.dispose()
    return privileges


async def bench_drain(settings: Settings, base: str, n: int) -> Result:
    """Deliveries already queued (all ten endpoints healthy), sent by one worker."""
    engine = create_engine(settings.sqlalchemy_url)
    sessions = create_session_factory(engine)
    drain_settings = settings.model_copy(update={"consumers_enabled": False})
    privileges = await setup_merchants(settings, base, hanging=False)
    del privileges
    order_ids = [f"drain-{uuid.uuid4().hex[:10]}" for _ in range(n)]
    async with sessions() as session:
        merchant_ids = [
            e.merchant_id
            for e in await webhooks.endpoints_of(session, None)
            if e.url.startswith(f"{base}/hooks/")
        ][-MERCHANTS:]
    for start in range(0, n, 500):
        async with sessions() as session, session.begin():
            for k, order_id in enumerate(order_ids[start : start + 500], start):
                await webhooks.enqueue(
                    session,
                    merchant_ids[k % MERCHANTS],
                    WebhookEventType.ORDER_DISPATCHED,
                    {"order_id": order_id},
                )
    async with app_client(create_app(drain_settings)):
        seen = await wait_for(base, set(order_ids))
    await engine.dispose()
    # From the first arrival, so the app's start-up (broker connection, LISTEN) is not counted.
    first, last = min(seen.values()), max(seen.values())
    return Result("drain: queued deliveries → worker → receiver", len(seen) - 1, last - first, [])


async def bench_pipeline(settings: Settings, base: str, n: int, *, hanging: bool, name: str) -> Result:
    privileges = await setup_merchants(settings, base, hanging=hanging)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, linger_ms=5)
    await producer.start()
    sent: dict[str, float] = {}
    healthy: set[str] = set()
    try:
        async with app_client(create_app(settings)):
            # Warm-up: one order per merchant, so the consumer group has joined and connections exist.
            warm = [await _publish(producer, p, sent) for p in privileges[1:]]
            await wait_for(base, set(warm), within_s=120)
            sent.clear()
            futures = []
            for i in range(n):
                privilege = privileges[i % MERCHANTS]
                order_id = f"O{uuid.uuid4().hex[:12]}"
                record = to_record(Envelope.new(_requested(order_id, privilege), source="privilege-svc"))
                sent[order_id] = time.time()
                futures.append(
                    await producer.send(record.topic, record.value, key=record.key, headers=record.headers)
                )
                if not (hanging and i % MERCHANTS == 0):
                    healthy.add(order_id)
            await asyncio.gather(*futures)
            seen = await wait_for(base, healthy)
    finally:
        await producer.stop()
    started = min(sent.values())
    return Result(name, len(seen), max(seen.values()) - started, [(seen[k] - sent[k]) * 1000 for k in seen])


def _requested(order_id: str, privilege: str) -> PrivilegeOrderRequested:
    return PrivilegeOrderRequested(
        order_id=order_id,
        member_id=str(uuid.uuid4()),
        privilege_id=privilege,
        price_fen=0,
        points_held=0,
        city_code=CITY,
        requested_at=datetime.now(UTC),
    )


async def _publish(producer: AIOKafkaProducer, privilege: str, sent: dict[str, float]) -> str:
    order_id = f"W{uuid.uuid4().hex[:12]}"
    record = to_record(Envelope.new(_requested(order_id, privilege), source="privilege-svc"))
    sent[order_id] = time.time()
    await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    return order_id


async def run(args: argparse.Namespace) -> None:
    manager = None
    if all(os.environ.get(k) for k in ("POSTGRES_DSN", "REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS")):
        env = {k: os.environ[k] for k in ("POSTGRES_DSN", "REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS")}
        env["KAFKA_BROKER_KIND"] = os.environ.get("KAFKA_BROKER_KIND", "external")
    else:
        from cheyou_devinfra import InfraManager

        state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
        os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
        manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        env = (await asyncio.to_thread(manager.start)).env()
    port = free_port()
    receiver = multiprocessing.get_context("spawn").Process(target=_serve, args=(port,), daemon=True)
    receiver.start()
    base = f"http://127.0.0.1:{port}"
    try:
        from cheyou_devinfra import ensure_database

        await ensure_topics(env["KAFKA_BOOTSTRAP_SERVERS"], dict(TOPICS))
        dsn = await ensure_database(env["POSTGRES_DSN"], f"merchant_bench_{uuid.uuid4().hex[:8]}")
        url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
        await upgrade(SERVICE_ROOT, url)
        settings = Settings.model_validate(
            {
                **env,
                "database_url": url,
                "LOG_JSON": False,
                "LOG_LEVEL": "WARNING",
                "OTEL_ENABLED": False,
                "webhook_allowed_networks": ["127.0.0.0/8"],
                "seed_demo": False,
                "webhook_timeout_s": args.timeout,
            }
        )
        while True:
            try:
                await arrivals(base)
                break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
        print(machine())  # noqa: T201
        baseline = await bench_baseline(base, args.drain)
        drain = await bench_drain(settings, base, args.drain)
        healthy = await bench_pipeline(
            settings, base, args.orders, hanging=False, name="pipeline: 10 healthy endpoints"
        )
        hanging = await bench_pipeline(
            settings, base, args.orders, hanging=True, name="pipeline: 1 of 10 hanging (the 9 healthy)"
        )
        ratio = hanging.rate / healthy.rate
        results = [baseline, drain, healthy, hanging]
        table = "\n".join(
            [
                "| run | deliveries | deliveries/s | p50 event→delivery | p99 event→delivery |",
                "|---|---:|---:|---:|---:|",
            ]
            + [r.row() for r in results]
        )
        print(table)  # noqa: T201
        print(f"healthy nine with one hanging / all healthy: {ratio:.1%} (target >= 80%)")  # noqa: T201
        summary = {
            r.name: {"n": r.deliveries, "rate": round(r.rate), "p99_ms": round(r.pct(0.99), 1)}
            for r in results
        }
        print(json.dumps(summary))  # noqa: T201
    finally:
        receiver.terminate()  # it holds the hanging requests open: do not wait for them
        receiver.join(5)
        if receiver.is_alive():
            receiver.kill()
            receiver.join()
        if manager is not None:
            await asyncio.to_thread(manager.stop)
            shutil.rmtree(manager.state_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000, help="orders per pipeline run")
    parser.add_argument("--drain", type=int, default=3000, help="deliveries in the baseline and drain runs")
    parser.add_argument("--timeout", type=float, default=5.0, help="webhook timeout (the hanging endpoint)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
