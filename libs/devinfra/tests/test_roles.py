"""A service's database has a migrator role (owns the schema, runs the migrations) and a runtime role
(rows only), as production has them: the runtime role's DDL is refused (issue 23, item 6)."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import asyncpg
import pytest
from cheyou_devinfra import Infra, ensure_database, ensure_service_roles
from cheyou_kit.migrations import upgrade
from sqlalchemy.engine import make_url

GATEWAY = Path(__file__).resolve().parents[3] / "services" / "gateway"


def _asyncpg(dsn: str) -> str:
    return make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


@pytest.fixture
async def database(infra: Infra) -> tuple[str, str, str]:
    """A database migrated partly by the superuser (as before the roles existed), then given its roles
    and migrated to head as the migrator; yields (name, migrator DSN, runtime DSN)."""
    name = f"roles_{uuid.uuid4().hex[:8]}"
    superuser = await ensure_database(infra.postgres_dsn, name)
    conn = await asyncpg.connect(superuser)
    try:  # what an older launcher left: objects owned by the superuser
        await conn.execute("CREATE TABLE legacy (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)")
        await conn.execute("CREATE SEQUENCE legacy_numbers")
    finally:
        await conn.close()
    roles = {kind: (f"{name}_{kind}", secrets.token_urlsafe(12)) for kind in ("migrator", "runtime")}
    migrator, runtime = await ensure_service_roles(
        infra.postgres_dsn, name, migrator=roles["migrator"], runtime=roles["runtime"]
    )
    await upgrade(GATEWAY, _asyncpg(migrator))
    return name, migrator, runtime


async def _refused(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
    finally:
        await conn.close()


class TestRuntimeRole:
    async def test_it_reads_and_writes_rows_of_tables_old_and_new(
        self, database: tuple[str, str, str]
    ) -> None:
        _, _, runtime = database
        conn = await asyncpg.connect(runtime)
        try:
            await conn.execute("INSERT INTO legacy (v) VALUES ('old table, its identity sequence')")
            assert await conn.fetchval("SELECT nextval('legacy_numbers')") == 1
            # a table the migrator created (default privileges), and the outbox
            assert await conn.fetchval("SELECT count(*) FROM staff_accounts") >= 0
            await conn.execute("DELETE FROM event_outbox WHERE false")
            await conn.execute("UPDATE legacy SET v = 'changed'")
        finally:
            await conn.close()

    @pytest.mark.parametrize(
        "statement",
        [
            "CREATE TABLE intruder (id int)",
            "DROP TABLE legacy",
            "DROP TABLE staff_accounts",
            "ALTER TABLE staff_accounts ADD COLUMN extra text",
            "TRUNCATE event_outbox",
            "CREATE INDEX ix_intruder ON legacy (v)",
            "CREATE SCHEMA intruder",
        ],
    )
    async def test_its_ddl_is_refused(self, database: tuple[str, str, str], statement: str) -> None:
        _, _, runtime = database

        await _refused(runtime, statement)

    async def test_it_cannot_open_another_services_database(
        self, infra: Infra, database: tuple[str, str, str]
    ) -> None:
        _, _, runtime = database
        other = f"other_{uuid.uuid4().hex[:8]}"
        await ensure_database(infra.postgres_dsn, other)
        await ensure_service_roles(
            infra.postgres_dsn, other, migrator=(f"{other}_migrator", "m"), runtime=(f"{other}_runtime", "r")
        )
        other_as_runtime = make_url(runtime).set(database=other)

        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(other_as_runtime.render_as_string(hide_password=False))


class TestMigratorRole:
    async def test_it_owns_the_schema_and_may_change_it(self, database: tuple[str, str, str]) -> None:
        _, migrator, _ = database
        conn = await asyncpg.connect(migrator)
        try:
            await conn.execute("CREATE TABLE later (id int)")
            await conn.execute("ALTER TABLE legacy ADD COLUMN note text")
            await conn.execute("DROP TABLE later")
        finally:
            await conn.close()

    async def test_setting_the_roles_up_again_changes_nothing(
        self, infra: Infra, database: tuple[str, str, str]
    ) -> None:
        name, migrator, runtime = database
        m, r = make_url(migrator), make_url(runtime)

        again = await ensure_service_roles(
            infra.postgres_dsn,
            name,
            migrator=(str(m.username), str(m.password)),
            runtime=(str(r.username), str(r.password)),
        )

        assert again == (migrator, runtime)
        await _refused(runtime, "CREATE TABLE intruder (id int)")
