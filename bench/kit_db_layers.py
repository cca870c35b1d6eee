"""What each database layer costs a small read, in CPU per query (issue 20: the remaining cost of the kit's
small read, and what it would take to reach 1 ms).

    python bench/kit_db_layers.py [--queries 3000] [--rounds 3]

One process, one embedded Postgres, the liability scenarios table as claims-svc migrates it (12 static
rows): the same keyset page read through each layer the services could use, one after the other,
interleaved over ``--rounds``; the figure is the process's CPU time per query (``time.process_time``),
which holds still on a shared machine where wall time does not:

- the kit's read session (:data:`cheyou_kit.db.ReadSessionDep`: autocommit, ORM) and ``paginate`` — what
  every list route runs today;
- the kit's transaction session (:data:`SessionDep`) and ``paginate`` — what a route that writes pays;
- an ORM session running a Core ``select`` of the table's columns (rows, not mapped objects);
- a Core connection from the same autocommit engine (no ORM session at all);
- asyncpg itself: a prepared statement on one connection — the driver's floor.

The figures say where the small read's CPU goes below the route (the rest is the ASGI server, FastAPI's
dependency solving, the identity token and the response; bench/kit_small_read.py measures the whole).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import harness
from sqlalchemy import Table, select

Query = Callable[[], Awaitable[object]]


async def measure(query: Query, n: int) -> float:
    """CPU milliseconds per call of ``query`` over ``n`` calls (after a short warm-up)."""
    for _ in range(min(200, n)):
        await query()
    started = time.process_time()
    for _ in range(n):
        await query()
    return (time.process_time() - started) * 1000 / n


async def layers(dsn: str, queries: int, rounds: int) -> dict[str, list[float]]:
    from cheyou_devinfra import ensure_database
    from cheyou_kit.db import _autocommit, create_engine, create_session_factory
    from cheyou_kit.pagination import paginate
    from claims_svc.liability.models import LiabilityScenario

    database = await ensure_database(dsn, f"bench_layers_{uuid.uuid4().hex[:8]}")
    engine = create_engine(database.replace("postgresql://", "postgresql+asyncpg://", 1))
    table = Table(LiabilityScenario.__tablename__, LiabilityScenario.metadata, extend_existing=True)
    async with engine.begin() as connection:
        await connection.run_sync(table.create)
        await connection.execute(
            table.insert(),
            [
                {
                    "code": f"S{i:02d}",
                    "label": f"同车道行驶，后车追尾前车（情形 {i}）",
                    "legal_reference": "《道路交通安全法实施条例》第九十一条",
                    "manual": i % 4 == 0,
                    "sort_order": i,
                }
                for i in range(12)
            ],
        )
    sessions = create_session_factory(engine)
    autocommit = _autocommit(engine)
    by = (LiabilityScenario.sort_order,)
    columns = select(*table.c).order_by(table.c.sort_order).limit(51)

    async def read_session() -> object:
        async with sessions(bind=autocommit) as session:
            return await paginate(session, select(LiabilityScenario), None, 50, by=by)

    async def transaction_session() -> object:
        async with sessions() as session:
            page = await paginate(session, select(LiabilityScenario), None, 50, by=by)
            await session.commit()
            return page

    async def session_core() -> object:
        async with sessions(bind=autocommit) as session:
            return (await session.execute(columns)).all()

    async def core_connection() -> object:
        async with autocommit.connect() as connection:
            return (await connection.execute(columns)).all()

    raw = await asyncpg.connect(database)
    statement = await raw.prepare(
        "SELECT * FROM liability_scenarios ORDER BY sort_order LIMIT 51"  # the same rows, the driver alone
    )

    async def driver() -> object:
        return await statement.fetch()

    targets: dict[str, Query] = {
        "read session (autocommit) + paginate, ORM objects": read_session,
        "transaction session + paginate, ORM objects": transaction_session,
        "ORM session, Core select (rows)": session_core,
        "Core connection (rows)": core_connection,
        "asyncpg prepared statement": driver,
    }
    figures: dict[str, list[float]] = {name: [] for name in targets}
    try:
        for _ in range(rounds):
            for name, query in targets.items():
                figures[name].append(await measure(query, queries))
    finally:
        await raw.close()
        await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=3000, help="per layer and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from cheyou_devinfra.components import Postgres

    state = Path(tempfile.mkdtemp(prefix="cheyou-bench-layers-"))
    state.chmod(0o755)  # Postgres runs unprivileged when we are root
    postgres = Postgres(state, harness.free_port())
    before = os.getloadavg()[0]
    try:
        postgres.start()
        figures = asyncio.run(layers(postgres.url, args.queries, args.rounds))
    finally:
        postgres.stop()
        shutil.rmtree(state, ignore_errors=True)
    after = os.getloadavg()[0]
    floor = statistics.median(figures["asyncpg prepared statement"])
    body = [
        f"**Machine** {harness.machine()}; load average {before:.2f} before, {after:.2f} after.",
        "",
        f"**Reproduce**: `.venv/bin/python bench/kit_db_layers.py --queries {args.queries} --rounds "
        f"{args.rounds}`. One process, the 12 liability scenarios, one keyset page per query; CPU time "
        "per query (median over the rounds, and its range).",
        "",
        "| layer | CPU ms per query | range | × asyncpg |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {statistics.median(values):.3f} | {min(values):.3f}–{max(values):.3f} "
            f"| {statistics.median(values) / floor:.1f} |"
            for name, values in figures.items()
        ),
    ]
    path = harness.write_section(
        harness.RESULTS / "kit.md",
        "## What each database layer costs a small read (kit_db_layers.py)\n" + "\n".join(body),
        title="kit benchmark results",
    )
    print("\n".join(body))  # noqa: T201
    print(f"→ {path}")  # noqa: T201


if __name__ == "__main__":
    main()
