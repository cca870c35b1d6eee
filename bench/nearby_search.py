"""merchant-svc's nearby search (``GET /service-points/nearby``) at 100,000 service points.

    python bench/nearby_search.py [--points 100000] [--queries 1000] [--wrk-seconds 20] [--connections 8]
                                  [--no-wrk] [--no-write]

Uses POSTGRES_DSN and REDIS_URL when set; otherwise starts Postgres and Redis through cheyou_devinfra for
the run. A fresh database is migrated to head (so the index is the migration's: a partial btree on
``(lat_band, lng)``) and filled by COPY: ``--points`` points of 500 active merchants, spread over 40
Chinese cities in proportion to their size (normally around each centre, σ ≈ 12 km), with the categories,
services and opening hours of a real mix (most 08:00–20:00, some round the clock, some weekdays only);
then ``VACUUM ANALYZE``.

1. **The query alone**: ``service_points.service.nearby`` — what the route runs — from a location near a
   random city (drawn by size, within 10 km of its centre), ``--queries`` times per variant, each in its
   own session, after a warm-up: 5 km; 5 km car washes open now; 20 km; 50 km car washes open now. The
   same 5 km search without the index (a sequential scan) for comparison, and the plan of one search.
2. **The route**: merchant-svc in its own uvicorn process (one worker, consumers and workers off), ``wrk``
   with ``--connections`` connections for ``--wrk-seconds`` against ``/api/v1/service-points/nearby``
   (5 km, random locations), each request with an identity token of its own signed beforehand as the
   gateway would (a token is good for one request).

Results go to bench/results/merchant-svc.md (this benchmark's section only) with the load average: a figure
taken at a load average above 2 on this 2-core machine is not a result (say so; re-run on a quiet machine).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cheyou_kit.identity import IdentitySigner, Principal, Role, generate_keypair
from cheyou_kit.migrations import upgrade
from harness import machine, percentile, write_section
from merchant_svc.service_points import service
from merchant_svc.service_points.coordinates import wgs84_to_gcj02
from merchant_svc.service_points.hours import week_intervals
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "merchant-svc"
RESULTS = ROOT / "bench" / "results" / "merchant-svc.md"
HEADING = "## Nearby search over"
AUDIENCE = "merchant-svc"
MERCHANTS = 500

# (name, WGS-84 centre, weight ~ urban population in millions)
CITIES = [
    ("上海", 31.2304, 121.4737, 24), ("北京", 39.9042, 116.4074, 21), ("重庆", 29.5630, 106.5516, 16),
    ("广州", 23.1291, 113.2644, 18), ("深圳", 22.5431, 114.0579, 17), ("成都", 30.5728, 104.0668, 16),
    ("天津", 39.3434, 117.3616, 13), ("武汉", 30.5928, 114.3055, 12), ("西安", 34.3416, 108.9398, 12),
    ("杭州", 30.2741, 120.1551, 12), ("南京", 32.0603, 118.7969, 9), ("郑州", 34.7466, 113.6254, 10),
    ("长沙", 28.2282, 112.9388, 9), ("沈阳", 41.8057, 123.4315, 9), ("青岛", 36.0671, 120.3826, 9),
    ("苏州", 31.2989, 120.5853, 12), ("东莞", 23.0207, 113.7518, 10), ("佛山", 23.0215, 113.1214, 9),
    ("合肥", 31.8206, 117.2272, 9), ("济南", 36.6512, 117.1201, 9), ("哈尔滨", 45.8038, 126.5349, 9),
    ("昆明", 25.0389, 102.7183, 8), ("大连", 38.9140, 121.6147, 7), ("福州", 26.0745, 119.2965, 8),
    ("厦门", 24.4798, 118.0894, 5), ("南宁", 22.8170, 108.3665, 8), ("长春", 43.8171, 125.3235, 9),
    ("石家庄", 38.0428, 114.5149, 11), ("贵阳", 26.6470, 106.6302, 6), ("南昌", 28.6820, 115.8579, 6),
    ("太原", 37.8706, 112.5489, 5), ("乌鲁木齐", 43.8256, 87.6168, 4), ("兰州", 36.0611, 103.8343, 4),
    ("海口", 20.0440, 110.1999, 3), ("呼和浩特", 40.8426, 111.7490, 3), ("银川", 38.4872, 106.2309, 3),
    ("西宁", 36.6171, 101.7782, 2), ("拉萨", 29.6520, 91.1721, 1), ("泉州", 24.8741, 118.6757, 9),
    ("宁波", 29.8683, 121.5440, 9),
]  # fmt: skip
CATEGORIES = [
    ("car_wash", ["car_wash"], 40),
    ("rescue", ["rescue_towing", "jump_start", "fuel_delivery", "tyre"], 15),
    ("designated_driving", ["after_drinking_driving", "inspection_driving"], 15),
    ("car_affairs", ["annual_inspection_agency", "violation_agency", "licence_agency"], 15),
    ("retail", ["merchant_discount"], 15),
]
DAILY = [(d, "08:00", "20:00") for d in range(1, 8)]
ROUND_THE_CLOCK = [(d, "00:00", "24:00") for d in range(1, 8)]
WEEKDAYS = [(d, "09:00", "18:00") for d in range(1, 6)]
HOURS = [(DAILY, 70), (ROUND_THE_CLOCK, 20), (WEEKDAYS, 10)]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def near(rng: random.Random, lat: float, lng: float, sigma_km: float) -> tuple[float, float]:
    """A point normally distributed around a centre (WGS-84), as GCJ-02."""
    d_lat = rng.gauss(0, sigma_km) / 111.2
    d_lng = rng.gauss(0, sigma_km) / (111.2 * math.cos(math.radians(lat)))
    return wgs84_to_gcj02(lat + d_lat, lng + d_lng)


async def fill(engine: AsyncEngine, n: int) -> dict[str, Any]:
    rng = random.Random(2014)
    merchants = []
    for i in range(MERCHANTS):
        category, services, _ = rng.choices(CATEGORIES, weights=[c[2] for c in CATEGORIES])[0]
        merchants.append((uuid.uuid4(), f"联盟商户{i:04d}", category, services))
    weights = [c[3] for c in CITIES]
    points: list[tuple[Any, ...]] = []
    intervals: list[tuple[uuid.UUID, int, int]] = []
    now = datetime.now(UTC)
    for i in range(n):
        _, lat, lng, _ = rng.choices(CITIES, weights=weights)[0]
        merchant_id, name, category, services = merchants[rng.randrange(MERCHANTS)]
        p_lat, p_lng = near(rng, lat, lng, 12)
        hours = rng.choices([h for h, _ in HOURS], weights=[w for _, w in HOURS])[0]
        point_id = uuid.uuid4()
        points.append(
            (
                point_id, merchant_id, f"{name}·{i}号店", category, "某市某区某路 1 号", "350100", None,
                p_lat, p_lng, math.floor(p_lat * 10), services,
                '[' + ",".join(f'{{"day": {d}, "opens": "{o}", "closes": "{c}"}}' for d, o, c in hours) + ']',
                "[]", "active", None, now, now,
            )
        )  # fmt: skip
        intervals.extend((point_id, s, e) for s, e in week_intervals(hours))
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO merchants (id, name, category, status, city_codes, score) "
                "SELECT unnest(CAST(:ids AS uuid[])), unnest(CAST(:names AS text[])), "
                "unnest(CAST(:categories AS text[])), 'active', ARRAY['350100'], 80"
            ),
            {
                "ids": [str(m[0]) for m in merchants],
                "names": [m[1] for m in merchants],
                "categories": [m[2] for m in merchants],
            },
        )
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        columns = [
            "id", "merchant_id", "name", "category", "address", "city_code", "phone", "lat", "lng",
            "lat_band", "services", "hours", "offers", "status", "status_reason", "created_at", "updated_at",
        ]  # fmt: skip
        await driver.execute("CREATE TEMP TABLE staging_points (LIKE service_points) ON COMMIT DROP")
        await driver.execute("ALTER TABLE staging_points ALTER hours TYPE text, ALTER offers TYPE text")
        await driver.copy_records_to_table("staging_points", records=points, columns=columns)
        await driver.execute(
            "INSERT INTO service_points SELECT id, merchant_id, name, category, address, city_code, phone, "
            "lat, lng, lat_band, services, hours::jsonb, offers::jsonb, status, status_reason, created_at, "
            "updated_at FROM staging_points"
        )
        await driver.copy_records_to_table(
            "service_point_open_intervals", records=intervals, columns=["point_id", "starts_min", "ends_min"]
        )
    async with engine.connect() as connection:
        auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("merchants", "service_points", "service_point_open_intervals"):
            await auto.execute(text(f"VACUUM ANALYZE {table}"))
        figures = {
            "points": "SELECT count(*) FROM service_points",
            "intervals": "SELECT count(*) FROM service_point_open_intervals",
            "table_mb": "SELECT pg_total_relation_size('service_points') / 1048576",
            "index_kb": "SELECT pg_relation_size('ix_service_points_nearby') / 1024",
        }
        return {key: int(await auto.scalar(text(sql)) or 0) for key, sql in figures.items()}


def where_people_are(rng: random.Random) -> tuple[float, float]:
    _, lat, lng, _ = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
    return near(rng, lat, lng, 5)


def variants() -> dict[str, dict[str, Any]]:
    return {
        "5 km": {"radius_m": 5_000},
        "5 km, car washes open now": {"radius_m": 5_000, "category": "car_wash", "open_now": True},
        "20 km": {"radius_m": 20_000},
        "50 km, car washes open now": {"radius_m": 50_000, "category": "car_wash", "open_now": True},
    }


def quantiles(times: list[float]) -> tuple[float, float, float]:
    """p50, p99 and the slowest of some timings (ms)."""
    return percentile(times, 0.5), percentile(times, 0.99), max(times)


async def query_alone(
    sessions: async_sessionmaker[AsyncSession], queries: int, variant: dict[str, Any]
) -> tuple[list[float], float]:
    """Milliseconds per search (20 nearest), each in its own session; and the mean number of results."""
    rng = random.Random(7)
    times, found = [], []
    for attempt in range(queries + 20):
        lat, lng = where_people_are(rng)
        query = service.NearbyQuery(
            lat,
            lng,
            "gcj02",
            variant["radius_m"],
            variant.get("category"),
            None,
            variant.get("open_now", False),
        )
        async with sessions() as session:
            started = time.perf_counter()
            page = await service.nearby(session, query, None, 20, datetime.now(UTC))
            elapsed = (time.perf_counter() - started) * 1000
        if attempt >= 20:
            times.append(elapsed)
            found.append(len(page.items))
    return times, statistics.mean(found)


async def plan(engine: AsyncEngine) -> str:
    """EXPLAIN ANALYZE of one 5 km search in Fuzhou, as the repository builds it."""
    from merchant_svc.service_points import repository
    from merchant_svc.service_points.coordinates import box_around
    from sqlalchemy.dialects import postgresql

    captured: list[str] = []
    lat, lng = wgs84_to_gcj02(26.0745, 119.2965)

    async with async_sessionmaker(engine)() as session:
        original = session.execute

        async def capture(statement: Any, *args: Any, **kwargs: Any) -> Any:
            dialect: Any = postgresql.dialect()  # type: ignore[no-untyped-call]
            compiled = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            captured.append(str(compiled))
            return await original(statement, *args, **kwargs)

        session.execute = capture  # type: ignore[method-assign]
        await repository.nearby(
            session, lat=lat, lng=lng, radius_m=5_000, box=box_around(lat, lng, 5_000), minute_of_week=600,
            category=None, service=None, open_now=False, after=None, limit=20,
        )  # fmt: skip
        session.execute = original  # type: ignore[method-assign]
        rows = await session.execute(text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + captured[0]))
        return "\n".join(r[0] for r in rows)


LUA = r"""
-- Each thread takes every n-th line of the request file (path \t token): a token is good for one request.
local counter = 0
local threads = tonumber(os.getenv("BENCH_THREADS"))
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  lines = {}
  local n = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if n % threads == id then
      local path, token = line:match("([^\t]+)\t(.+)")
      lines[#lines + 1] = {path, token}
    end
    n = n + 1
  end
  i = 0
end
function request()
  i = i + 1
  if i > #lines then i = 1 end
  return wrk.format("GET", lines[i][1], {["X-Cheyou-Identity"] = lines[i][2]})
end
"""


def sign_requests(private_key: Path, count: int, path_file: Path) -> None:
    signer = IdentitySigner(private_key.read_bytes(), ttl_seconds=3_600)
    binds = "method" in inspect.signature(signer.sign).parameters  # a token bound to its request
    rng = random.Random(11)
    with path_file.open("w") as out:
        for _ in range(count):
            lat, lng = where_people_are(rng)
            query = urlencode({"lat": f"{lat:.6f}", "lng": f"{lng:.6f}", "radius_m": 5000})
            path = "/api/v1/service-points/nearby"
            principal = Principal(
                subject=f"member-{uuid.uuid4().hex[:8]}", role=Role.MEMBER, member_id=uuid.uuid4()
            )
            kwargs: dict[str, Any] = {"method": "GET", "path": path, "query": query.encode()} if binds else {}
            token = signer.sign(principal, AUDIENCE, **kwargs)
            out.write(f"{path}?{query}\t{token}\n")


def run_wrk(url: str, seconds: int, connections: int, requests: Path, script: Path) -> dict[str, Any]:
    threads = 2
    env = {**os.environ, "BENCH_THREADS": str(threads), "BENCH_REQUESTS": str(requests)}
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    out = result.stdout
    print(out)  # noqa: T201

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, label
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate
    return {
        "p50": ms("50%"),
        "p99": ms("99%"),
        "rps": float(rate.group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "total": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
    }


def serve(
    database_url: str, redis_url: str, public_key: Path, port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MERCHANT_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(public_key),
        "MERCHANT_CONSUMERS_ENABLED": "false",
        "MERCHANT_SEED_DEMO": "false",
        "MERCHANT_DELIVERY_WORKER_ENABLED": "false",
        "MERCHANT_ACCEPT_DEADLINE_WORKER_ENABLED": "false",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",  # nothing is published by a search
        "OTEL_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "merchant_svc.main:create_app", "--factory", "--port", str(port),
         "--no-access-log", "--log-level", "warning"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


async def wait_ready(url: str) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        for _ in range(120):
            try:
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("merchant-svc did not start")


async def run(args: argparse.Namespace) -> None:
    manager = None
    state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
    os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
    if os.environ.get("POSTGRES_DSN") and (args.no_wrk or os.environ.get("REDIS_URL")):
        server, redis_url = os.environ["POSTGRES_DSN"], os.environ.get("REDIS_URL", "")
    else:
        from cheyou_devinfra import InfraManager

        manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        await asyncio.to_thread(manager.postgres.start)
        server = manager.postgres.url
        redis_url = ""
        if not args.no_wrk:
            await asyncio.to_thread(manager.redis.start)
            redis_url = manager.redis.url
    process = None
    load_before = load()
    try:
        from cheyou_devinfra import ensure_database

        name = f"nearby_bench_{uuid.uuid4().hex[:8]}"
        url = make_url(await ensure_database(server, name)).set(drivername="postgresql+asyncpg")
        url_text = url.render_as_string(hide_password=False)
        await upgrade(SERVICE_ROOT, url_text)
        engine = create_async_engine(url_text, pool_size=2)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        started = time.perf_counter()
        sizes = await fill(engine, args.points)
        print(f"filled in {time.perf_counter() - started:.1f} s: {sizes}")  # noqa: T201

        rows = []
        for label, variant in variants().items():
            times, mean_found = await query_alone(sessions, args.queries, variant)
            rows.append((label, *quantiles(times), mean_found))
            print(label, rows[-1])  # noqa: T201
        explained = await plan(engine)
        async with engine.begin() as connection:
            definition = await connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_service_points_nearby'")
            )
            await connection.execute(text("DROP INDEX ix_service_points_nearby"))
        try:
            times, mean_found = await query_alone(sessions, max(50, args.queries // 10), variants()["5 km"])
            rows.append(("5 km **without the index** (sequential scan)", *quantiles(times), mean_found))
        finally:
            async with engine.begin() as connection:
                await connection.execute(text(str(definition)))
        await engine.dispose()

        route = None
        if not args.no_wrk:
            private_key, public_key = generate_keypair(state / "keys")
            requests = state / "requests.tsv"
            sign_requests(private_key, args.tokens, requests)
            script = state / "nearby.lua"
            script.write_text(LUA)
            port = 18_000 + random.randrange(1000)
            process = serve(url_text, redis_url, public_key, port, state / "merchant-svc.log")
            await wait_ready(f"http://127.0.0.1:{port}")
            base = f"http://127.0.0.1:{port}"
            run_wrk(base, 3, 2, requests, script)  # warm-up (takes tokens of its own lines: see --tokens)
            route = run_wrk(base, args.wrk_seconds, args.connections, requests, script)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        if manager is not None:
            await asyncio.to_thread(manager.stop)

    load_after = load()
    lines = [
        f"{HEADING} {sizes['points']:,} service points (`bench/nearby_search.py`)",
        "",
        f"**Date** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. **Machine** {machine()}. **Load average** "
        f"(1, 5, 15 min) before: {load_before}; after: {load_after}."
        + (
            " **The machine was busy (load above 2 on 2 cores): these figures are not a result; re-run on a "
            "quiet machine.**"
            if max(float(load_before.split()[0]), float(load_after.split()[0])) > 2
            else ""
        ),
        "",
        f"Data: {sizes['points']:,} active points of {MERCHANTS} merchants in 40 cities, "
        f"{sizes['intervals']:,} opening intervals; table with indexes {sizes['table_mb']} MiB, "
        f"`ix_service_points_nearby` {sizes['index_kb']:,} KiB. Searches from near a city centre (drawn "
        "by size), 20 nearest per page, each in its own session (what the route runs, without HTTP).",
        "",
        "| search (the query alone) | p50 ms | p99 ms | max ms | results (mean of 20 max) |",
        "|---|---:|---:|---:|---:|",
        *(f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.1f} |" for r in rows),
        "",
    ]
    if route is not None:
        lines += [
            f"**The route** (`wrk -t2 -c{args.connections} -d{args.wrk_seconds}s`, merchant-svc in one "
            "uvicorn worker on the same two cores as wrk, Postgres and Redis; a fresh identity token per "
            "request): "
            f"{route['rps']:.0f} requests/s, p50 {route['p50']:.1f} ms, **p99 {route['p99']:.1f} ms**, "
            f"{route['non_2xx']} of {route['total']:,} not 2xx.",
            "",
        ]
    lines += ["The plan of a 5 km search in Fuzhou:", "", "```", explained, "```", ""]
    report = "\n".join(lines)
    print(report)  # noqa: T201
    if not args.no_write:
        write_section(RESULTS, report, title="merchant-svc benchmarks", replaces=HEADING)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=60_000, help="signed requests (one token each)")
    parser.add_argument("--no-wrk", action="store_true", help="the query alone only")
    parser.add_argument("--no-write", action="store_true", help="print, do not write bench/results")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
