"""博饼 budget: concurrent plays of one game against its points budget, through privilege-svc's HTTP API,
and the same transaction as a pgbench script beside it.

    .venv/bin/python bench/games_bobing_budget.py [--members 2000] [--plays 3] [--budget 20000]
                                                   [--concurrency 200] [--pgbench-seconds 15]

Uses POSTGRES_DSN / REDIS_URL / KAFKA_BOOTSTRAP_SERVERS when all are set; otherwise starts them through
cheyou_devinfra for the run. privilege-svc runs as one uvicorn process on a fresh database. One game with
the Xiamen ranking pays points for every ranked outcome (状元 100 … 一秀 5) from a budget smaller than
what the plays would win, so the budget runs out mid-run: every member plays ``--plays`` times (the daily
limit), ``--concurrency`` plays in flight at once. The run checks from the database that the budget never
went below zero, that what the plays paid equals what the budget lost and what the ledger credited, and
that no member played more than the limit. Latency: client-side, request sent → response read.

The pgbench half runs the database side of a paying play — the daily counter upsert, the conditional
UPDATE of the game's budget row, the play row — as a custom script on the same database (a second game
with an effectively endless budget, so every transaction takes the hot row), to show what the budget row
alone allows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from harness import machine, percentile
from privilege_harness import (
    RawConnection,
    Service,
    infrastructure,
    now_s,
    open_connections,
    running_service,
    seed_members,
    write_section,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

PRIZES = [
    ("zhuangyuan_chajinhua", 100), ("liubohong", 100), ("biandijin", 100), ("liubohei", 100), ("wuhong", 100),
    ("wuzidengke", 100), ("zhuangyuan", 100), ("duitang", 50), ("sanhong", 30), ("sijin", 20), ("erju", 10),
    ("yixiu", 5),
]  # fmt: skip

PGBENCH_SCRIPT = """
\\set m random(1, 1000000)
BEGIN;
INSERT INTO game_daily_plays (game_id, member_id, day, plays)
  VALUES (:game, 'pgbench-' || :m, current_date, 1)
  ON CONFLICT ON CONSTRAINT pk_game_daily_plays DO UPDATE SET plays = game_daily_plays.plays + 1
  WHERE game_daily_plays.plays < 1000000 RETURNING plays, last_digest;
UPDATE games SET points_left = points_left - 5 WHERE id = :game AND points_left >= 5 RETURNING id;
INSERT INTO game_plays (id, game_id, member_id, day, seq, draw, dice, outcome_code, outcome_name, points,
  prize_status, digest, played_at)
  VALUES (gen_random_uuid(), :game, 'pgbench-' || :m, current_date, 1, 0, '444111', 'yixiu', '一秀', 5,
  'paid', md5(random()::text), now());
END;
"""


async def create_game(client: httpx.AsyncClient, service: Service, budget: int, plays: int) -> str:
    now = datetime.now(UTC)
    body = {
        "kind": "bobing",
        "name": "中秋博饼（压测）",
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "plays_per_day": plays,
        "points_budget": budget,
        "prizes": [{"code": code, "name": code, "kind": "points", "points": p} for code, p in PRIZES],
    }
    created = await client.post(
        f"{service.url}/api/v1/games", json=body, headers=service.ops_headers("POST", "/api/v1/games")
    )
    created.raise_for_status()
    game_id = str(created.json()["id"])
    path = f"/api/v1/games/{game_id}/publish"
    (await client.post(f"{service.url}{path}", headers=service.ops_headers("POST", path))).raise_for_status()
    return game_id


async def play_all(
    service: Service, game_id: str, members: list[str], plays: int, concurrency: int
) -> tuple[Counter[str], list[float], float]:
    path = f"/api/v1/games/{game_id}/plays"
    queue: asyncio.Queue[str] = asyncio.Queue()
    for _ in range(plays):
        for member_id in members:
            queue.put_nowait(member_id)
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    connections = await open_connections(service.url, concurrency)

    async def worker(connection: RawConnection) -> None:
        while not queue.empty():
            member_id = queue.get_nowait()
            started = now_s()
            status, body = await connection.request(
                "POST", path, service.member_headers(member_id, "POST", path)
            )
            latencies.append((now_s() - started) * 1000)
            if status == 201:
                outcomes[re.search(rb'"prize_status":"(\w+)"', body).group(1).decode()] += 1  # type: ignore[union-attr]
            else:
                slug = re.search(rb'problems/([\w-]+)"', body)
                outcomes[f"{status} {slug.group(1).decode() if slug else ''}"] += 1

    started = now_s()
    await asyncio.gather(*(worker(c) for c in connections))
    seconds = now_s() - started
    await asyncio.gather(*(c.close() for c in connections))
    return outcomes, latencies, seconds


async def books(database_url: str, game_id: str, plays: int) -> dict[str, Any]:
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    """
                    SELECT g.points_budget, g.points_left,
                      (SELECT coalesce(sum(p.points), 0) FROM game_plays p WHERE p.game_id = g.id) AS paid,
                      (SELECT coalesce(sum(e.points), 0) FROM points_entries e JOIN game_plays p
                         ON p.credit_entry_id = e.id WHERE p.game_id = g.id) AS credited,
                      (SELECT count(*) FROM game_plays p WHERE p.game_id = g.id) AS plays,
                      (SELECT coalesce(max(d.plays), 0) FROM game_daily_plays d
                         WHERE d.game_id = g.id) AS most
                    FROM games g WHERE g.id = :id
                    """
                ),
                {"id": game_id},
            )
        ).one()
    await engine.dispose()
    facts = dict(row._mapping)
    ok = (
        facts["points_left"] >= 0
        and facts["paid"] == facts["credited"] == facts["points_budget"] - facts["points_left"]
        and facts["most"] <= plays
    )
    facts["checked"] = "budget exact, never below 0, limit held" if ok else "**MISMATCH**"
    return facts


def pgbench(database_url: str, game_id: str, seconds: int, clients: int) -> str:
    url = make_url(database_url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    command = [
        "pgbench", "-n", "-f", script.name, "-c", str(clients), "-j", "2", "-T", str(seconds),
        "-D", f"game='{game_id}'", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
        "-U", url.username or "postgres", url.database or "",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    Path(script.name).unlink()
    found = re.search(r"tps = ([\d.]+)", result.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", result.stdout)
    if not found:
        return f"pgbench failed: {result.stderr.strip()[:200]}"
    average = latency.group(1) if latency else "?"
    return f"{float(found.group(1)):,.0f} tps, average latency {average} ms (c={clients})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--plays", type=int, default=3)
    parser.add_argument("--budget", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with infrastructure() as infra:
        async with running_service(infra) as service:
            members = await seed_members(service.database_url, args.members, 1)
            async with httpx.AsyncClient(timeout=60) as client:
                game_id = await create_game(client, service, args.budget, args.plays)
                endless = await create_game(client, service, 100_000_000, 1)
            cpu_before = service.cpu_seconds()
            outcomes, latencies, seconds = await play_all(
                service, game_id, members, args.plays, args.concurrency
            )
            cpu = service.cpu_seconds() - cpu_before
            facts = await books(service.database_url, game_id, args.plays)
            database = (
                make_url(service.database_url)
                .set(drivername="postgresql")
                .render_as_string(hide_password=False)
            )
            pg = pgbench(database, endless, args.pgbench_seconds, 16)
    load_after = os.getloadavg()
    attempts = args.members * args.plays
    quiet = max(load_before[0], load_after[0]) <= 2
    loaded = "" if quiet else " — **above 2: not a result**, re-run on a quiet machine"
    answers = ", ".join(f"{k}: {v:,}" for k, v in sorted(outcomes.items()))
    row = [
        f"{attempts:,}",
        answers,
        f"{seconds:.1f}",
        f"{attempts / seconds:,.0f}",
        f"{percentile(latencies, 0.5):.0f} ms",
        f"{percentile(latencies, 0.99):.0f} ms",
        f"{cpu * 1000 / attempts:.1f} ms",
        f"{facts['points_left']:,}",
        f"{facts['paid']:,} = {facts['credited']:,}",
        str(facts["checked"]),
    ]
    body = "\n".join(
        [
            f"**Date** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. **Machine** {machine()}.",
            f"**Load average** (1 min) before {load_before[0]:.1f}, after {load_after[0]:.1f}{loaded}.",
            "",
            "**Reproduce**: `.venv/bin/python bench/games_bobing_budget.py "
            f"--members {args.members} --plays {args.plays} --budget {args.budget}"
            f" --concurrency {args.concurrency}`.",
            "",
            f"{args.members:,} members × {args.plays} plays (the daily limit) = {attempts:,} plays of one",
            f"博饼 game, {args.concurrency} in flight, budget {args.budget:,} points,",
            "the Xiamen ranking paying 状元 100 … 一秀 5.",
            "",
            "| plays | answers | seconds | plays/s | p50 | p99 | service CPU per play | budget left"
            " | paid = credited | check |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
            "| " + " | ".join(row) + " |",
            "",
            "pgbench, the database side of a paying play (daily counter upsert, conditional UPDATE of the",
            f"budget row, the play row) on the same database for {args.pgbench_seconds} s: {pg}.",
        ]
    )
    write_section("博饼 budget under concurrent plays (bench/games_bobing_budget.py)", body)
    sys.stdout.write(body + "\n")


if __name__ == "__main__":
    asyncio.run(main())
