from __future__ import annotations

import asyncpg
from cheyou_devinfra import Infra, InfraManager, ensure_database
from cheyou_kit.testing import SuiteInfrastructure


async def test_answers_select_1(local_infra: Infra) -> None:
    conn = await asyncpg.connect(local_infra.postgres_dsn)
    try:
        assert await conn.fetchval("SELECT 1") == 1
        assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
    finally:
        await conn.close()


async def test_ensure_database_is_idempotent_and_returns_a_plain_dsn(local_infra: Infra) -> None:
    first = await ensure_database(local_infra.postgres_dsn, "member")
    second = await ensure_database(
        local_infra.postgres_dsn.replace("postgresql://", "postgresql+asyncpg://"), "member"
    )

    assert first == second
    assert first.startswith("postgresql://postgres:postgres@127.0.0.1:")
    assert first.endswith("/member")
    conn = await asyncpg.connect(first)
    try:
        assert await conn.fetchval("SELECT current_database()") == "member"
    finally:
        await conn.close()


async def test_infra_creates_a_database_for_the_kits_suites(local_infra: Infra) -> None:
    suite_infrastructure: SuiteInfrastructure = local_infra  # what cheyou_kit.testing asks of it

    dsn = await suite_infrastructure.create_database("suite_db")

    assert dsn == await ensure_database(local_infra.postgres_dsn, "suite_db")
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT current_database()") == "suite_db"
    finally:
        await conn.close()


async def test_data_survives_a_restart_and_a_crash(manager: InfraManager, local_infra: Infra) -> None:
    dsn = await ensure_database(local_infra.postgres_dsn, "durable")
    conn = await asyncpg.connect(dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS t (v text)")
    await conn.execute("INSERT INTO t VALUES ('会员')")
    await conn.close()

    manager.postgres.restart()
    manager.postgres.kill()
    assert manager.postgres.start() == local_infra.postgres_dsn  # same port: clients keep their DSN

    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT v FROM t") == "会员"
    finally:
        await conn.close()
