"""Flash sale: 2,000 concurrent redemption attempts for 100 units through privilege-svc's HTTP API.

    .venv/bin/python bench/privilege_flash_sale.py [--attempts 2000] [--stock 100]

Uses POSTGRES_DSN / REDIS_URL / KAFKA_BOOTSTRAP_SERVERS when all are set; otherwise starts them through
cheyou_devinfra for the run. The service runs as one uvicorn process on a fresh database, once with the
Redis stock gate (``PRIVILEGE_FLASH_SALE_GATE=true``, the default) and once without it (the database's
conditional UPDATE alone). Each attempt is a different member with enough points; every run checks
from the database that exactly ``stock`` units were sold, each with exactly one debit, and that every
balance is what it must be. Latency: client-side, request sent → response read, p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from harness import machine, percentile
from privilege_harness import (
    RawConnection,
    infrastructure,
    now_s,
    open_connections,
    running_service,
    seed_members,
    write_section,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

PRICE = 100
FUNDS = 150


@dataclass
class Run:
    name: str
    attempts: int
    sold: int
    sold_out: int
    other: dict[int, int]
    """Any other answers, by status code."""
    seconds: float
    latencies_ms: list[float]
    winner_latencies_ms: list[float]
    checked: str
    cpu_ms_per_attempt: float

    def row(self) -> str:
        return (
            f"| {self.name} | {self.attempts:,} | {self.sold} | {self.sold_out:,} | {self._other()} "
            f"| {self.seconds:.2f} s | {self.attempts / self.seconds:,.0f}/s "
            f"| {percentile(self.latencies_ms, 0.5):.0f} ms | {percentile(self.latencies_ms, 0.99):.0f} ms "
            f"| {percentile(self.winner_latencies_ms, 0.5):.0f} ms "
            f"| {percentile(self.winner_latencies_ms, 0.99):.0f} ms "
            f"| {self.cpu_ms_per_attempt:.1f} ms | {self.checked} |"
        )

    def _other(self) -> str:
        if not self.other:
            return "0"
        codes = ", ".join(f"{code}: {count:,}" for code, count in sorted(self.other.items()))
        return f"{sum(self.other.values()):,} ({codes})"


async def verify(database_url: str, sale_id: str, stock: int, members: list[str]) -> str:
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    """
                    SELECT r.stock,
                      (SELECT count(*) FROM redemptions d WHERE d.reward_id = r.id),
                      (SELECT count(DISTINCT d.member_id) FROM redemptions d WHERE d.reward_id = r.id),
                      (SELECT count(*) FROM points_entries e JOIN redemptions d ON d.debit_entry_id = e.id
                        WHERE d.reward_id = r.id),
                      (SELECT count(*) FROM points_entries e WHERE e.reason = 'redemption'
                        AND e.member_id = ANY(:members)),
                      (SELECT coalesce(sum(a.balance), 0) FROM points_accounts a
                        WHERE a.member_id = ANY(:members)),
                      (SELECT count(*) FROM points_accounts a WHERE a.balance < 0)
                    FROM rewards r WHERE r.id = :id
                    """
                ),
                {"id": sale_id, "members": members},
            )
        ).one()
    await engine.dispose()
    redemptions, linked_debits = row[1], row[3]
    expected = (0, stock, stock, stock, stock, len(members) * FUNDS - stock * PRICE, 0)
    if tuple(row) != expected:
        raise AssertionError(f"database check failed: {tuple(row)} != {expected}")
    return f"stock 0, {redemptions} redemptions = {linked_debits} debits, balances exact"


async def flash_sale(name: str, infra: object, attempts: int, stock: int, gate: bool) -> Run:
    async with running_service(infra, PRIVILEGE_FLASH_SALE_GATE=str(gate).lower()) as service:  # type: ignore[arg-type]
        members = await seed_members(service.database_url, attempts, FUNDS)
        async with httpx.AsyncClient(base_url=service.url, timeout=60) as client:
            response = await client.post(
                "/api/v1/flash-sales",
                json={
                    "name": "积分秒杀: 免费洗车券",
                    "kind": "coupon",
                    "merchant_id": "M-BENCH",
                    "coupon_batch_id": "CB-BENCH",
                    "tier_prices": {"ordinary": PRICE},
                    "stock": stock,
                    "starts_at": (datetime.now(UTC) + timedelta(seconds=2)).isoformat(),
                    "per_member_limit": 1,
                },
                headers=service.ops_headers("POST", "/api/v1/flash-sales"),
            )
            response.raise_for_status()
        sale_id = response.json()["id"]
        redeem = f"/api/v1/flash-sales/{sale_id}/redemptions"
        headers = [service.member_headers(m, "POST", redeem) for m in members]
        # one open connection per member, so the burst measures the sale, not TCP handshakes
        connections = await open_connections(service.url, attempts)
        wait = datetime.fromisoformat(response.json()["starts_at"]) - datetime.now(UTC)
        await asyncio.sleep(max(0.0, wait.total_seconds()) + 0.05)

        async def attempt(connection: RawConnection, h: dict[str, str]) -> tuple[int, float]:
            started = now_s()
            status, _ = await connection.request("POST", redeem, h)
            return status, (now_s() - started) * 1000

        began, cpu_before = now_s(), service.cpu_seconds()
        results = await asyncio.gather(*(attempt(c, h) for c, h in zip(connections, headers, strict=True)))
        seconds, cpu = now_s() - began, service.cpu_seconds() - cpu_before
        await asyncio.gather(*(c.close() for c in connections))
        checked = await verify(service.database_url, sale_id, stock, members)
    codes = [c for c, _ in results]
    return Run(
        name=name,
        attempts=attempts,
        sold=codes.count(201),
        sold_out=codes.count(409),
        other=dict(Counter(c for c in codes if c not in (201, 409))),
        seconds=seconds,
        latencies_ms=[ms for _, ms in results],
        winner_latencies_ms=[ms for c, ms in results if c == 201],
        checked=checked,
        cpu_ms_per_attempt=cpu * 1000 / attempts,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--stock", type=int, default=100)
    args = parser.parse_args()
    with infrastructure() as infra:
        print(machine())  # noqa: T201
        runs = []
        for name, gate in (("Redis gate + conditional UPDATE", True), ("conditional UPDATE only", False)):
            run = await flash_sale(name, infra, args.attempts, args.stock, gate)
            print(run.row())  # noqa: T201
            runs.append(run)
    for run in runs:
        assert run.sold == args.stock, f"{run.name}: sold {run.sold} of {args.stock}"
    write_section(
        "Flash sale (`bench/privilege_flash_sale.py`)",
        "\n".join(
            [
                f"**Date** 2026-11-25. **Machine** {machine()}. Broker {infra.broker}; Postgres, Redis,",
                "Kafka, the service (one uvicorn process, with its outbox relay and consumer) and the",
                "client all on this machine.",
                "",
                f"{args.attempts:,} members, each with {FUNDS} points, fire one redemption each at the same",
                f"instant for {args.stock} units at {PRICE} points (`asyncio.gather` over {args.attempts:,}",
                "open HTTP connections). Every run is then checked in the database: stock 0, exactly `stock`",
                "redemptions by distinct members, each linked to exactly one debit, no other redemption",
                "debit, the members' balances summing to what they must, no negative balance.",
                "",
                "| run | attempts | sold | sold out (409) | other | burst wall time | attempts/s "
                "| p50 all | p99 all | p50 winners | p99 winners | service CPU / attempt | database check |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
                *(run.row() for run in runs),
            ]
        ),
    )


if __name__ == "__main__":
    asyncio.run(main())
