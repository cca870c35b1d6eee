"""notify-svc: a campaign to a large audience at a throttle, and event → inbox latency.

    python bench/notify_campaign.py [--sizes 100000 1000000] [--throttle 200] [--window 60]
                                    [--event-rate 500] [--event-seconds 20] [--latency-only]

For each audience size: a database of its own seeded with that many members (COPY into the audience
projection, each with a WeChat openid), a fresh notify-svc process (uvicorn, one worker: sender,
campaign runner, outbox relay, consumers) and the fake WeChat server in a process of its own. A
campaign to every member (WeChat + inbox) is scheduled at ``--throttle`` members/s; after a warm-up the
messages the fake accepted are counted over ``--window`` seconds (sustained messages/s), and the
service's resident memory is sampled throughout (peak = the kernel's VmHWM). Memory is flat in audience
size when the two sizes show the same peak: the runner holds one chunk, the sender one batch.

Before that, on the first size's service while it is otherwise idle: ``privilege.entitlements_changed``
events for members the service has not seen are produced to Kafka at ``--event-rate`` per second for
``--event-seconds``; latency is the inbox row's ``created_at`` minus the moment the event was handed to
the producer (same clock), p50 / p99 over every event. ``--latency-only`` measures only that, on a
fresh service, prints it and leaves bench/results/notify-svc.md alone (record the figures by hand).

Baseline, side by side: the fake WeChat server's own ceiling (wrk posting template messages to it
directly, 50 connections, for 10 s) and the platform pipeline figures in bench/RESULTS.md.

Uses POSTGRES_DSN / REDIS_URL / KAFKA_BOOTSTRAP_SERVERS when set; otherwise starts Postgres, Redis
and Kafka through cheyou_devinfra.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx
import wrk_harness
from aiokafka import AIOKafkaProducer
from cheyou_devinfra import ensure_database, ensure_topics
from cheyou_events import TOPICS, Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.privilege import Entitlement, EntitlementsChanged
from cheyou_events.envelope import to_record
from cheyou_kit.identity import IdentitySigner, Principal, Role, generate_keypair
from cheyou_kit.migrations import upgrade
from cheyou_kit.testing import signing_hook
from harness import free_port, machine, percentile, write_section
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "notify-svc"
RESULTS = ROOT / "bench" / "results" / "notify-svc.md"


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def wait_ready(url: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as probe:
        for _ in range(600):
            try:
                if (await probe.get(path)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


@dataclass
class CampaignFigures:
    size: int
    seed_seconds: float
    sent_per_second: float
    queued_per_second: float
    rss_ready_mib: float
    rss_samples_mib: list[float] = field(default_factory=list)
    peak_mib: float = 0.0
    failed: int = 0


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    url: str
    db_url: str
    sign: Callable[[httpx.Request], Awaitable[None]]
    """Signs each request's identity token for its method and path (an httpx request hook)."""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def seed(dsn: str, size: int) -> float:
    """``size`` members with an openid, in the audience projection (COPY, 50,000 rows at a time)."""
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        for first in range(0, size, 50_000):
            rows = [
                (f"m{n:09d}", "ordinary", "wechat", f"o-bench-{n:09d}", "350102", now)
                for n in range(first, min(size, first + 50_000))
            ]
            await connection.copy_records_to_table(
                "recipients",
                records=rows,
                columns=["member_id", "tier", "join_channel", "openid", "region_code", "updated_at"],
            )
        await connection.execute("ANALYZE recipients")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def start_service(
    postgres: str, redis_url: str, bootstrap: str, kind: str, wechat_url: str, sms_url: str, name: str
) -> Service:
    dsn = await ensure_database(postgres, name)
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    await upgrade(SERVICE_ROOT, url)
    keys = Path(tempfile.mkdtemp(prefix="notify-bench-keys-"))
    private_key, public_key = generate_keypair(keys)
    signer = IdentitySigner(private_key.read_bytes(), ttl_seconds=7200)
    principal = Principal(subject="bench-ops", role=Role.OPS, staff_id="bench-ops")
    port = free_port()
    env = {
        **os.environ,
        "NOTIFY_DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_BROKER_KIND": kind if kind in ("tansu", "apache-kafka") else "external",
        "NOTIFY_CONSUMER_GROUP": f"notify-svc.bench-{uuid.uuid4().hex[:6]}",
        "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public_key),
        "WECHAT_API_BASE_URL": wechat_url,
        "SMS_API_BASE_URL": sms_url,
        "NOTIFY_QUIET_START_HOUR": "0",  # no quiet hours: the bench may run at night in Shanghai
        "NOTIFY_QUIET_END_HOUR": "0",
        "NOTIFY_MEMBER_DAILY_LIMIT": "1000",
        "NOTIFY_REMINDERS_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        "OTEL_ENABLED": "false",
    }
    process = subprocess.Popen(  # noqa: ASYNC220 (started once, before the measurement)
        [sys.executable, "-m", "uvicorn", "notify_svc.main:create_app", "--factory", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    service = Service(process, f"http://127.0.0.1:{port}", dsn, signing_hook(signer, principal, "notify-svc"))
    await wait_ready(service.url, "/readyz")
    return service


async def accepted(wechat: httpx.AsyncClient) -> int:
    count: int = (await wechat.get("/_fake/stats")).json()["accepted"]
    return count


async def run_campaign(
    service: Service, wechat: httpx.AsyncClient, size: int, throttle: int, warmup: float, window: float
) -> tuple[str, list[float], float, float]:
    """Schedule the campaign; return (id, RSS samples, sent/s and queued/s over the window)."""
    body = {
        "name": f"bench {size}",
        "template_code": "campaign_generic",
        "variables": {"title": "春季自驾游", "content": "三月福州出发，名额有限"},
        "channels": ["wechat", "inbox"],
        "segment": {"tiers": ["ordinary"]},
        "throttle_per_second": throttle,
    }
    async with httpx.AsyncClient(
        base_url=service.url, timeout=120, event_hooks={"request": [service.sign]}
    ) as api:
        created = await api.post("/api/v1/campaigns", json=body)
        created.raise_for_status()
        campaign_id: str = created.json()["id"]
        samples: list[float] = []
        deadline = time.monotonic() + warmup
        while time.monotonic() < deadline:
            samples.append(memory_mib(service.process.pid)[0])
            await asyncio.sleep(2)
        start_sent, start_at = await accepted(wechat), time.monotonic()
        start_targeted = (await api.get(f"/api/v1/campaigns/{campaign_id}")).json()["progress"]["targeted"]
        while time.monotonic() - start_at < window:
            samples.append(memory_mib(service.process.pid)[0])
            await asyncio.sleep(2)
        end_sent, end_at = await accepted(wechat), time.monotonic()
        end_targeted = (await api.get(f"/api/v1/campaigns/{campaign_id}")).json()["progress"]["targeted"]
        await api.post(f"/api/v1/campaigns/{campaign_id}/pause")
    elapsed = end_at - start_at
    return campaign_id, samples, (end_sent - start_sent) / elapsed, (end_targeted - start_targeted) / elapsed


async def event_latency(service: Service, bootstrap: str, rate: int, seconds: int) -> list[float]:
    """Produce entitlements_changed at ``rate``/s; latency of each inbox row, in ms."""
    total = rate * seconds
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2)
    await producer.start()
    handed: dict[str, float] = {}
    try:
        started = time.time()
        for n in range(total):
            due = started + n / rate
            if (pause := due - time.time()) > 0:
                await asyncio.sleep(pause)
            event = EntitlementsChanged(
                member_id=f"lat-{uuid.uuid4().hex[:16]}",
                tier=Tier.THREE_STAR,
                entitlements=[Entitlement(privilege_id="car_wash", quota=2, period="year", price_fen=0)],
                changed_at=datetime.now(UTC),
            )
            envelope = Envelope.new(event, source="privilege-svc")
            record = to_record(envelope)
            handed[f"entitlements:{envelope.id}"] = time.time()
            await producer.send(record.topic, record.value, key=record.key, headers=record.headers)
        await producer.flush()
    finally:
        await producer.stop()
    connection = await asyncpg.connect(service.db_url)
    try:
        for _ in range(600):
            count = await connection.fetchval(
                "SELECT count(*) FROM inbox_items WHERE fact_id LIKE 'entitlements:%'"
            )
            if count >= total:
                break
            await asyncio.sleep(1)
        rows = await connection.fetch(
            "SELECT fact_id, extract(epoch FROM created_at) AS at FROM inbox_items"
            " WHERE fact_id LIKE 'entitlements:%'"
        )
    finally:
        await connection.close()
    ours = [r for r in rows if r["fact_id"] in handed]
    if ours:
        span = max(float(r["at"]) for r in ours) - min(handed.values())
        print(f"inbox rows for {len(ours)} events within {span:.0f} s: {len(ours) / span:.0f} events/s")  # noqa: T201
    return [(float(r["at"]) - handed[r["fact_id"]]) * 1000 for r in ours]


def fake_ceiling(wechat_url: str, seconds: float = 10.0, connections: int = 50) -> float:
    """Template messages/s the fake takes from wrk (a compiled load generator, keep-alive, 50 connections,
    1,000 openids in turn): the provider's ceiling. A Python client saturates well before the fake does."""
    requests = wrk_harness.wechat_template_requests(wechat_url)
    try:
        return wrk_harness.wrk(
            wechat_url + "/", connections=connections, seconds=seconds, requests=requests
        ).rps
    finally:
        requests.unlink()


async def run(args: argparse.Namespace) -> None:
    manager = None
    if os.environ.get("POSTGRES_DSN") and os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        postgres, bootstrap = os.environ["POSTGRES_DSN"], os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        kind = os.environ.get("KAFKA_BROKER_KIND", "external")
    else:
        from cheyou_devinfra import InfraManager

        state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
        os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
        manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        infra = await asyncio.to_thread(manager.start)
        postgres, bootstrap, kind, redis_url = (
            infra.postgres_dsn,
            infra.kafka_bootstrap,
            infra.broker,
            infra.redis_url,
        )
    await ensure_topics(bootstrap, dict(TOPICS))
    wechat_port, sms_port = free_port(), free_port()
    fakes = [
        subprocess.Popen(  # noqa: ASYNC220 (started once, before the measurement)
            [sys.executable, "-m", "cheyou_fakes", name, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, port in (("wechat", wechat_port), ("sms", sms_port))
    ]  # fmt: skip
    wechat_url, sms_url = f"http://127.0.0.1:{wechat_port}", f"http://127.0.0.1:{sms_port}"
    run_id = uuid.uuid4().hex[:6]
    services: list[Service] = []
    figures: list[CampaignFigures] = []
    latencies: list[float] = []
    header, load_before = machine(), os.getloadavg()[0]
    print(header)  # noqa: T201
    try:
        await wait_ready(wechat_url, "/_fake/stats")
        await wait_ready(sms_url, "/_fake/messages")
        if args.latency_only:
            service = await start_service(
                postgres, redis_url, bootstrap, kind, wechat_url, sms_url, f"notify_bench_latency_{run_id}"
            )
            services.append(service)
            latencies = await event_latency(service, bootstrap, args.event_rate, args.event_seconds)
            print(  # noqa: T201
                f"event → inbox at {args.event_rate}/s for {args.event_seconds} s: {len(latencies)} events,"
                f" p50 {percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms"
            )
            return
        ceiling = await asyncio.to_thread(fake_ceiling, wechat_url)
        print(f"fake WeChat ceiling (wrk, 50 connections): {ceiling:.0f} messages/s")  # noqa: T201
        async with httpx.AsyncClient(base_url=wechat_url, timeout=60) as wechat:
            for size in args.sizes:
                await wechat.post("/_fake/reset")
                service = await start_service(
                    postgres, redis_url, bootstrap, kind, wechat_url, sms_url, f"notify_bench_{size}_{run_id}"
                )
                services.append(service)
                if size == args.sizes[0] and args.event_seconds > 0:
                    latencies = await event_latency(service, bootstrap, args.event_rate, args.event_seconds)
                    print(  # noqa: T201
                        f"event → inbox at {args.event_rate}/s for {args.event_seconds} s:"
                        f" {len(latencies)} events,"
                        f" p50 {percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms"
                    )
                seed_seconds = await seed(service.db_url, size)
                ready_rss = memory_mib(service.process.pid)[0]
                _, samples, sent_rate, queued_rate = await run_campaign(
                    service, wechat, size, args.throttle, args.warmup, args.window
                )
                peak = memory_mib(service.process.pid)[1]
                result = CampaignFigures(size, seed_seconds, sent_rate, queued_rate, ready_rss, samples, peak)
                figures.append(result)
                print(  # noqa: T201
                    f"audience {size:,}: seeded in {seed_seconds:.0f} s; sent {sent_rate:.0f}/s, queued"
                    f" {queued_rate:.0f}/s over {args.window:.0f} s; RSS ready {ready_rss:.0f} MiB,"
                    f" max sampled {max(samples):.0f} MiB, peak (VmHWM) {peak:.0f} MiB"
                )
                service.stop()
        write_results(args, header, load_before, kind, ceiling, figures, latencies)
    finally:
        for service in services:
            service.stop()
        for fake in fakes:
            fake.terminate()
        if manager is not None:
            await asyncio.to_thread(manager.stop)


def write_results(
    args: argparse.Namespace,
    header: str,
    load_before: float,
    kind: str,
    ceiling: float,
    figures: list[CampaignFigures],
    latencies: list[float],
) -> None:
    rows = "\n".join(
        f"| {f.size:,} | {f.seed_seconds:.0f} s | {f.queued_per_second:.0f} | {f.sent_per_second:.0f} |"
        f" {f.rss_ready_mib:.0f} | {max(f.rss_samples_mib):.0f} | {f.peak_mib:.0f} |"
        for f in figures
    )
    latency = (
        f"| event → inbox at {args.event_rate}/s, {len(latencies):,} events"
        f" | p50 {percentile(latencies, 0.5):.0f} ms | p99 {percentile(latencies, 0.99):.0f} ms"
        " | pipeline (bench/RESULTS.md) at 1,000/s: p50 25 ms, p99 99–258 ms |"
        if latencies
        else "| event → inbox | not measured | | |"
    )
    sizes = " ".join(str(s) for s in args.sizes)
    title = f"Campaign at a throttle of {args.throttle} members/s, and event → inbox (notify_campaign.py)"
    section = f"""## {title}
**Date** {date.today().isoformat()}. **Machine** {header}; load average {load_before:.2f} before the run,
{os.getloadavg()[0]:.2f} after. Broker: {kind} (single broker); embedded Postgres and Redis on the same
cores; notify-svc in one uvicorn worker (sender, campaign runner, outbox relay publishing `notify.events`,
Kafka consumers); the fake WeChat and SMS servers in processes of their own.

**Reproduce**: `.venv/bin/python bench/notify_campaign.py --sizes {sizes} --throttle {args.throttle} \\
--window {args.window:.0f} --event-rate {args.event_rate} --event-seconds {args.event_seconds}`

Each member: an inbox row and a queued WeChat message written by the runner (one transaction per chunk
with the campaign's cursor), delivered by the sender (lease, HTTP call, delivery log, a
`MessageSent` outbox row in the same transaction), then relayed to Kafka. Rates over a {args.window:.0f} s
window after a {args.warmup:.0f} s warm-up; memory (MiB) of the notify-svc process.

| audience | seeding | queued members/s | sent messages/s | RSS ready | RSS max sampled | peak (VmHWM) |
|---:|---:|---:|---:|---:|---:|---:|
{rows}

Baseline, side by side: the fake WeChat server alone takes **{ceiling:,.0f} messages/s** from wrk with 50
connections (no database, no delivery log, no outbox).

| measured | p50 | p99 | baseline |
|---|---:|---:|---|
{latency}

Events are `privilege.entitlements_changed` for members notify-svc has not seen (an inbox entry, and a
push held until their contact arrives), produced at a steady rate; latency = the inbox row's
`created_at` − the moment the event was handed to the producer (same clock), over every event."""
    write_section(RESULTS, section, title="notify-svc — benchmark results", replaces=f"## {title}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--throttle", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--event-rate", type=int, default=500)
    parser.add_argument("--event-seconds", type=int, default=20)
    parser.add_argument(
        "--latency-only", action="store_true", help="measure event → inbox latency only; print, write nothing"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
