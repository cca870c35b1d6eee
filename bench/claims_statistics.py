"""claims-svc's figures (``GET /claim-reports/figures``) over 100,000 claims, against a plain count.

    python bench/claims_statistics.py [--claims 100000] [--repeat 15] [--no-write]

Uses POSTGRES_DSN when set; otherwise starts Postgres through cheyou_devinfra for the run. A fresh
database is migrated to head (so the indexes are the migration's: ``ix_claims_reported_at``, which includes
what the figures read, and ``ix_survey_reviews_reshoot``) and filled with
SQL in one set-based statement per table: ``--claims`` claims reported over the ten months of the seed's
2014 (Beijing time), with the mix of outcomes of a working branch (most settled and closed, some
withdrawn, rejected or still open; ~10 % routed on site with one or two reasons), one surveyor decision
per surveyed claim and a re-shoot request on ~8 % of them. Then ``VACUUM ANALYZE``.

Measured, warm, ``--repeat`` times each, median and 90th percentile, for the whole year and for one
month (June):
- baseline: ``SELECT count(*) FROM claims WHERE reported_at >= :from AND reported_at < :to``;
- figures: ``reports.service.figures`` with ``by=month`` (year) or ``by=day`` (month), the code the route
  runs: five aggregate queries (total, status, route, on-site reason, period) and the assembly;
- each of the five queries on its own;
- both again with a plain index on ``reported_at`` instead, and with none (then the migration's is restored).

Results go to bench/results/claims-svc.md (this benchmark's section only; the others stay).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from cheyou_kit.migrations import upgrade
from claims_svc.claims.models import Claim
from claims_svc.reports import repository, service
from harness import machine, percentile, write_section
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "claims-svc"
RESULTS = ROOT / "bench" / "results" / "claims-svc.md"
HEADING = "## Claim figures over"
FUZHOU = ZoneInfo("Asia/Shanghai")
YEAR = (datetime(2014, 3, 1, tzinfo=FUZHOU), datetime(2015, 1, 1, tzinfo=FUZHOU))
JUNE = (datetime(2014, 6, 1, tzinfo=FUZHOU), datetime(2014, 7, 1, tzinfo=FUZHOU))
PERIODS: tuple[tuple[str, tuple[datetime, datetime], Literal["day", "month"]], ...] = (
    ("year (10 months)", YEAR, "month"),
    ("one month", JUNE, "day"),
)

# One statement: reported_at spread evenly over the ten months (plus jitter), the outcome drawn per claim.
CLAIMS_SQL = """
INSERT INTO claims (
    id, claim_no, member_id, policy_no, plate, vin, status, handling, on_site_reasons, accident_type,
    loss_at, reported_at, updated_at, latitude, longitude, address, city_code, loss_cause, weather,
    description, injury_or_death, vehicles_drivable, police_called, third_party_property,
    drink_driving_suspected, driver_licence_valid, plate_missing, other_party_left, estimated_loss_fen,
    other_party, liability, confirmed_loss_fen, approved_amount_fen, paid_amount_fen, settled_at
)
SELECT
    gen_random_uuid(), '3501' || to_char(t.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
        || lpad(g.i::text, 7, '0'),
    gen_random_uuid(), 'PDAA2014' || lpad((g.i % 60000)::text, 8, '0'),
    '闽A' || lpad((g.i % 60000)::text, 5, '0'), NULL,
    o.status, CASE WHEN o.on_site THEN 'on_site' ELSE 'self_service' END,
    CASE WHEN NOT o.on_site THEN ARRAY[]::varchar[]
         WHEN o.r < 0.3 THEN ARRAY['injury_or_death', 'not_drivable']::varchar[]
         ELSE ARRAY[(ARRAY['injury_or_death', 'third_party_property', 'over_fast_claim_limit',
                           'liability_disputed', 'not_drivable'])[1 + floor(o.r * 5)::int]]::varchar[] END,
    CASE WHEN o.r < 0.4 THEN 'single_vehicle' ELSE 'two_vehicle' END,
    t.reported_at - interval '40 minutes', t.reported_at, t.reported_at + interval '3 days',
    26.02 + o.r * 0.1, 119.25 + o.r * 0.12, '福州市鼓楼区五四路与东街口交叉口', '350100',
    'collision', 'sunny',
    '倒车时与对方车辆发生刮擦，双方车辆均可正常行驶。', o.on_site AND o.r < 0.5, true, o.on_site, false,
    false, true, false, false, (o.r * 900000)::bigint,
    '{"plate": "闽A88888", "insurer": "某财险"}'::jsonb,
    'main', 350000, 350000,
    CASE WHEN o.settled THEN 350000 END,
    CASE WHEN o.settled THEN t.reported_at + interval '1 day' * (1 + o.r * 14) END
FROM generate_series(1, :n) AS g(i)
CROSS JOIN LATERAL (
    SELECT timestamptz '2014-03-01 00:00+08' + (interval '305 days' * (g.i - 1) / :n)
        + interval '1 minute' * floor(random() * 30) AS reported_at
) AS t
CROSS JOIN LATERAL (
    SELECT u < 0.10 AS on_site, r,
        CASE WHEN u < 0.10 AND v >= 0.90 THEN 'escalated_on_site'
             WHEN v < 0.06 THEN 'withdrawn' WHEN v < 0.76 THEN 'closed' WHEN v < 0.82 THEN 'paid'
             WHEN v < 0.86 THEN 'rejected' WHEN v < 0.90 THEN 'documents_pending'
             WHEN v < 0.94 THEN 'survey_submitted' ELSE 'survey_pending' END AS status,
        v >= 0.06 AND v < 0.82 AS settled
    FROM (SELECT random() + g.i * 0 AS u, random() + g.i * 0 AS v, random() + g.i * 0 AS r) AS draws
) AS o
"""

REVIEWS_SQL = """
INSERT INTO survey_reviews (
    claim_id, round, surveyor_id, outcome, amount_fen, slots, note, queued_at, taken_at, decided_at,
    queue_seconds, handling_seconds
)
SELECT c.id, k.round, 'surveyor' || (abs(hashtext(c.id::text)) % 40), k.outcome,
    CASE WHEN k.outcome = 'confirmed' THEN 350000 END,
    CASE WHEN k.outcome = 'reshoot' THEN ARRAY['contact_point']::varchar[] ELSE ARRAY[]::varchar[] END,
    NULL, c.reported_at + interval '1 hour', c.reported_at + interval '90 minutes',
    c.reported_at + interval '100 minutes', 3600, 600
FROM claims AS c
CROSS JOIN LATERAL (
    SELECT 1 AS round, CASE WHEN x < 0.08 THEN 'reshoot' ELSE 'confirmed' END AS outcome
    FROM (SELECT random() + length(c.claim_no) * 0 AS x) AS d
) AS first
CROSS JOIN LATERAL (
    SELECT first.round, first.outcome UNION ALL SELECT 2, 'confirmed' WHERE first.outcome = 'reshoot'
) AS k
WHERE c.handling = 'self_service' AND c.status NOT IN ('survey_pending', 'survey_submitted', 'withdrawn')
"""


async def fill(engine: AsyncEngine, n: int) -> dict[str, int]:
    async with engine.begin() as connection:
        await connection.execute(text("SELECT setseed(0.2014)"))
        await connection.execute(text(CLAIMS_SQL), {"n": n})
        await connection.execute(text(REVIEWS_SQL))
    async with engine.connect() as connection:
        auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE claims"))
        await auto.execute(text("VACUUM ANALYZE survey_reviews"))
        sizes = {}
        for table in ("claims", "survey_reviews"):
            sizes[table] = int(await auto.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            sizes[f"{table}_mb"] = int(
                await auto.scalar(text(f"SELECT pg_total_relation_size('{table}') / 1048576")) or 0
            )
    return sizes


Timed = Callable[[AsyncSession], Awaitable[Any]]


async def timed(sessions: async_sessionmaker[AsyncSession], work: Timed, repeat: int) -> list[float]:
    """Milliseconds per run, each in its own session (as a request would), after one warm-up run."""
    times = []
    for attempt in range(repeat + 1):
        async with sessions() as session:
            started = time.perf_counter()
            await work(session)
            elapsed = (time.perf_counter() - started) * 1000
        if attempt:
            times.append(elapsed)
    return times


async def run(args: argparse.Namespace) -> None:
    manager = None
    if os.environ.get("POSTGRES_DSN"):
        server = os.environ["POSTGRES_DSN"]
    else:
        from cheyou_devinfra import InfraManager

        state = Path(tempfile.mkdtemp(prefix="cheyou-bench-"))
        os.chmod(state, 0o755)  # Postgres runs unprivileged when we are root
        manager = InfraManager(state, postgres_port=0, redis_port=0, kafka_port=0, use_env=False)
        await asyncio.to_thread(manager.postgres.start)
        server = manager.postgres.url
    try:
        from cheyou_devinfra import ensure_database

        name = f"claims_figures_bench_{uuid.uuid4().hex[:8]}"
        url = make_url(await ensure_database(server, name)).set(drivername="postgresql+asyncpg")
        url_text = url.render_as_string(hide_password=False)
        await upgrade(SERVICE_ROOT, url_text)
        engine = create_async_engine(url_text, pool_size=2)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        started = time.perf_counter()
        sizes = await fill(engine, args.claims)
        fill_seconds = time.perf_counter() - started
        print(f"filled in {fill_seconds:.1f} s: {sizes}")  # noqa: T201

        rows: list[tuple[str, str, list[float]]] = []
        answers: dict[str, Any] = {}

        def baseline(since: datetime, until: datetime) -> Timed:
            async def work(session: AsyncSession) -> Any:
                statement = select(func.count()).select_from(Claim)
                where = (Claim.reported_at >= since, Claim.reported_at < until)
                return await session.scalar(statement.where(*where))

            return work

        def figures(since: datetime, until: datetime, by: Literal["day", "month"]) -> Timed:
            async def work(session: AsyncSession) -> Any:
                report = await service.figures(
                    session, since, until, by=by, timezone="Asia/Shanghai", now=until
                )
                answers[f"{since:%Y-%m}-{by}"] = report
                return report

            return work

        def query(name: str, since: datetime, until: datetime) -> Timed:
            calls: dict[str, Callable[[AsyncSession], Awaitable[Any]]] = {
                "total": lambda s: repository.total(s, since, until),
                "by status": lambda s: repository.by_status(s, since, until),
                "by route": lambda s: repository.by_route(s, since, until),
                "by on-site reason": lambda s: repository.by_on_site_reason(s, since, until),
                "by month": lambda s: repository.by_period(s, since, until, "month", "Asia/Shanghai"),
                "by day": lambda s: repository.by_period(s, since, until, "day", "Asia/Shanghai"),
            }
            return calls[name]

        for label, (since, until), by in PERIODS:
            rows.append(
                (
                    label,
                    "baseline: `count(*)` over the period",
                    await timed(sessions, baseline(since, until), args.repeat),
                )
            )
            rows.append(
                (
                    label,
                    f"**figures, by={by}** (5 queries + assembly)",
                    await timed(sessions, figures(since, until, by), args.repeat),
                )
            )
            for name in ("total", "by status", "by route", "by on-site reason", f"by {by}"):
                rows.append(
                    (label, f"  query: {name}", await timed(sessions, query(name, since, until), args.repeat))
                )
        async with engine.begin() as connection:
            index = await connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_claims_reported_at'")
            )
        variants = {
            "a plain index on `reported_at`": "CREATE INDEX ix_claims_reported_at ON claims (reported_at)",
            "no index on `reported_at`": None,
        }
        try:
            for variant, definition in variants.items():
                async with engine.begin() as connection:
                    await connection.execute(text("DROP INDEX IF EXISTS ix_claims_reported_at"))
                    if definition is not None:
                        await connection.execute(text(definition))
                for label, (since, until), by in PERIODS:
                    rows.append(
                        (
                            label,
                            f"baseline, {variant}",
                            await timed(sessions, baseline(since, until), args.repeat),
                        )
                    )
                    rows.append(
                        (
                            label,
                            f"figures, by={by}, {variant}",
                            await timed(sessions, figures(since, until, by), args.repeat),
                        )
                    )
        finally:
            async with engine.begin() as connection:
                await connection.execute(text("DROP INDEX IF EXISTS ix_claims_reported_at"))
                await connection.execute(text(str(index)))
        await engine.dispose()
    finally:
        if manager is not None:
            await asyncio.to_thread(manager.postgres.stop)

    year = answers[f"{YEAR[0]:%Y-%m}-month"]
    lines = [
        f"| {period} | {what} | {percentile(t, 0.5):.1f} | {percentile(t, 0.9):.1f} |"
        for period, what, t in rows
    ]
    base = {period: percentile(t, 0.5) for period, what, t in rows if what.startswith("baseline:")}
    full = {period: percentile(t, 0.5) for period, what, t in rows if what.startswith("**figures")}
    ratios = ", ".join(f"{p}: ×{full[p] / base[p]:.1f}" for p in base)
    total = year.total
    mean_days = (total.mean_seconds_to_settlement or 0) / 86400
    data = " ".join(
        [
            f"Data: {sizes['claims']:,} claims reported 2014-03-01 to 2014-12-31 (Beijing) and",
            f"{sizes['survey_reviews']:,} surveyor decisions ({sizes['claims_mb']} MB and",
            f"{sizes['survey_reviews_mb']} MB with indexes), filled by two set-based `INSERT … SELECT` in",
            f"{fill_seconds:.1f} s, then `VACUUM ANALYZE`. The year's figures: {total.reported:,} reported,",
            f"{total.self_service:,} self-service, {total.on_site:,} on site, {total.withdrawn:,} withdrawn,",
            f"{total.settled:,} settled, {total.photos_reshot:,} with photos re-shot, {mean_days:.2f} days",
            "from report to settlement on average.",
        ]
    )
    section = f"""{HEADING} {sizes["claims"]:,} claims (`bench/claims_statistics.py`)

**Date** 2026-11-25 (session 3). **Machine** (shared with other engineers' test runs while measuring: read
the ratios, not the absolute figures)
```
{machine()}
```
Embedded Postgres from devinfra on the same two cores; the benchmark calls the service layer (the code the
route runs, without HTTP) through SQLAlchemy/asyncpg, {args.repeat} warm runs each after one warm-up.

**Reproduce**: `.venv/bin/python bench/claims_statistics.py --claims {args.claims} --repeat {args.repeat}`

{data}

| period | what | median ms | p90 ms |
|---|---|---:|---:|
{chr(10).join(lines)}

Figures ÷ baseline (medians): {ratios}. The baseline counts the period's rows and nothing else; the
figures read the same rows five times (one aggregate per breakdown, as the route does) with seven
measures each, and hash the re-shoot requests once per query.
"""
    print(section)  # noqa: T201
    if args.write:
        write_section(RESULTS, section, title="claims-svc — benchmark results", replaces=HEADING)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--no-write", dest="write", action="store_false", help="do not write the results file"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
