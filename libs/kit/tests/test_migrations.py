"""Every migration run sets lock_timeout and statement_timeout (issue 23, item 6): an ALTER TABLE stuck
behind a long transaction gives up after seconds instead of queueing every query of the service."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import asyncpg
import pytest
from cheyou_devinfra.manager import Infra
from cheyou_devinfra.provisioning import ensure_database
from cheyou_kit.migrations import MigrationSettings, upgrade
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

ENV = """
from sqlalchemy import MetaData
from cheyou_kit.migrations import run_env

run_env(MetaData(), "postgresql+asyncpg://unused/unused")
"""

CREATE = """
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute("CREATE TABLE seen (name text, value text)")
    op.execute("INSERT INTO seen SELECT 'lock_timeout', current_setting('lock_timeout')")
    op.execute("INSERT INTO seen SELECT 'statement_timeout', current_setting('statement_timeout')")
    op.execute("CREATE TABLE busy (id int)")


def downgrade() -> None:
    op.execute("DROP TABLE busy")
    op.execute("DROP TABLE seen")
"""

ALTER = """
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("ALTER TABLE busy ADD COLUMN note text")


def downgrade() -> None:
    op.execute("ALTER TABLE busy DROP COLUMN note")
"""


CONCURRENT = """
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_busy_note ON busy (note)")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_busy_note")
"""

LATER = """
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("CREATE TABLE later (id bigserial PRIMARY KEY, note text)")


def downgrade() -> None:
    op.execute("DROP TABLE later")
"""


@pytest.fixture
def service_root(tmp_path: Path) -> Path:
    """A service's migrations folder in miniature, run through the kit like every service's."""
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text(ENV)
    (tmp_path / "migrations" / "script.py.mako").write_text("")
    (versions / "0001_create.py").write_text(CREATE)
    (versions / "0002_alter.py").write_text(ALTER)
    return tmp_path


@pytest.fixture
async def database(infra: Infra) -> str:
    return await ensure_database(infra.postgres_dsn, f"migrations_{uuid.uuid4().hex[:8]}")


def _sqlalchemy(dsn: str) -> str:
    return make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


async def test_a_migration_runs_with_the_timeouts_set(service_root: Path, database: str) -> None:
    await upgrade(service_root, _sqlalchemy(database), "0001")

    conn = await asyncpg.connect(database)
    try:
        seen = dict(await conn.fetch("SELECT name, value FROM seen"))
    finally:
        await conn.close()
    assert seen == {"lock_timeout": "5s", "statement_timeout": "5min"}


async def test_an_alter_behind_a_long_transaction_gives_up_instead_of_waiting(
    service_root: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upgrade(service_root, _sqlalchemy(database), "0001")
    monkeypatch.setenv("MIGRATION_LOCK_TIMEOUT", "1s")
    reader = await asyncpg.connect(database)
    transaction = reader.transaction()
    await transaction.start()
    await reader.fetch("SELECT * FROM busy")  # a long transaction holding ACCESS SHARE on the table
    try:
        started = time.monotonic()
        with pytest.raises(DBAPIError, match="lock timeout"):
            await asyncio.wait_for(upgrade(service_root, _sqlalchemy(database), "0002"), timeout=30)
        assert time.monotonic() - started < 10
    finally:
        await transaction.rollback()
        await reader.close()

    await upgrade(service_root, _sqlalchemy(database), "0002")  # in a quiet minute it goes through


async def test_a_timeout_setting_that_is_not_a_duration_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGRATION_STATEMENT_TIMEOUT", "0; DROP TABLE members")

    with pytest.raises(ValidationError):
        MigrationSettings()


async def test_an_index_on_a_table_with_rows_is_built_concurrently_outside_a_transaction(
    service_root: Path, database: str
) -> None:
    (service_root / "migrations" / "versions" / "0003_concurrent.py").write_text(CONCURRENT)
    await upgrade(service_root, _sqlalchemy(database), "0002")
    conn = await asyncpg.connect(database)
    try:
        await conn.execute("INSERT INTO busy SELECT g, 'n' || g FROM generate_series(1, 1000) g")

        await upgrade(service_root, _sqlalchemy(database))  # Postgres refuses CONCURRENTLY in a transaction

        valid = await conn.fetchval(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = 'ix_busy_note'"
        )
        version = await conn.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await conn.close()
    assert valid is True
    assert version == "0003"


async def test_each_revision_is_its_own_transaction_so_a_failure_keeps_the_ones_before(
    service_root: Path, database: str
) -> None:
    broken = ALTER.replace("ADD COLUMN note text", "ADD COLUMN note no_such_type")
    (service_root / "migrations" / "versions" / "0002_alter.py").write_text(broken)

    with pytest.raises(DBAPIError, match="no_such_type"):
        await upgrade(service_root, _sqlalchemy(database))

    conn = await asyncpg.connect(database)
    try:
        version = await conn.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await conn.close()
    assert version == "0001"


async def test_a_run_gives_the_runtime_role_row_access_to_what_exists_and_to_what_comes_later(
    service_root: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = f"runtime_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database)
    await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'runtime-pw'")
    await admin.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    monkeypatch.setenv("MIGRATION_RUNTIME_ROLE", role)
    as_runtime = (
        make_url(database).set(username=role, password="runtime-pw").render_as_string(hide_password=False)
    )
    try:
        await upgrade(service_root, _sqlalchemy(database), "0001")  # tables before the grants
        (service_root / "migrations" / "versions" / "0003_later.py").write_text(LATER)
        await upgrade(service_root, _sqlalchemy(database))  # and a table created by a later run

        runtime = await asyncpg.connect(as_runtime)
        try:
            await runtime.execute("INSERT INTO seen VALUES ('by', 'runtime')")
            await runtime.execute("INSERT INTO later (note) VALUES ('a row')")  # its sequence too
            rows = await runtime.fetchval("SELECT count(*) FROM later")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await runtime.execute("CREATE TABLE mine (id int)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await runtime.execute("DROP TABLE later")
        finally:
            await runtime.close()
    finally:
        await admin.execute(f"DROP OWNED BY {role}")
        await admin.execute(f"DROP ROLE {role}")
        await admin.close()
    assert rows == 1


async def test_a_runtime_role_that_is_not_a_plain_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGRATION_RUNTIME_ROLE", "member; DROP TABLE members")

    with pytest.raises(ValidationError):
        MigrationSettings()
