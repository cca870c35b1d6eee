"""Alembic, run the same way by every service: from its ``env.py`` and programmatically at start-up.

Every run first sets ``lock_timeout`` and ``statement_timeout`` on its connection
(``MIGRATION_LOCK_TIMEOUT``, ``MIGRATION_STATEMENT_TIMEOUT``). An ``ALTER TABLE`` waiting for its lock
behind a long transaction blocks every query queued behind it — the whole API of the service — until
it gets the lock; with a lock timeout it gives up after seconds instead, the migration fails (Alembic
rolls the step back), and the operator retries in a quieter minute. A migration that needs longer
(an index built ``CONCURRENTLY`` on a large table) sets its own value inside its ``upgrade()``.

Each revision runs in its own transaction (``transaction_per_migration``), so a revision may leave it
for a statement Postgres refuses inside one — ``CREATE INDEX CONCURRENTLY`` on a table that already has
rows — with Alembic's ``op.get_context().autocommit_block()``: the revision's work so far is committed,
the statement runs on its own, and the revision goes on in a new transaction. Write such a statement in
a revision of its own (nothing else in it), idempotent (``IF NOT EXISTS``), since a failure after the
commit leaves the revision half done: the run stops there and is simply repeated.

Migrations run as the service's migrator role (``<PREFIX>MIGRATION_DATABASE_URL``), which owns the
schema; the service runs as a runtime role that may only read and write rows (see
``cheyou_devinfra.provisioning.ensure_service_roles``). With ``MIGRATION_RUNTIME_ROLE`` set, every run
ends by giving that role its rights itself, as the owner: ``USAGE`` on the schema, ``SELECT, INSERT,
UPDATE, DELETE`` on every table and ``USAGE, SELECT`` on every sequence, now and by default privileges
on what the migrator creates later — idempotent, so a production database needs a superuser only once,
to hand the schema to the migrator (deploy/RUNBOOK.md, "Migrator and runtime roles").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


class MigrationSettings(BaseSettings):
    """``MIGRATION_*``: the limits every migration run sets on its connection."""

    model_config = SettingsConfigDict(env_prefix="MIGRATION_", extra="ignore")

    lock_timeout: str = Field(
        default="5s",
        pattern=r"^\d+\s*(ms|s|min|h)?$",
        description="Postgres lock_timeout of a migration: how long a DDL statement waits for its lock.",
    )
    statement_timeout: str = Field(
        default="5min",
        pattern=r"^\d+\s*(ms|s|min|h)?$",
        description="Postgres statement_timeout of a migration: the longest one statement may run.",
    )
    runtime_role: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="The role the service runs as: each run grants it row access to the migrator's tables "
        "and sequences (now and by default privileges). Unset: no grants (a superuser gives them).",
    )


GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
)
"""What the runtime role may do, granted by the migrator (the owner) after every run."""


def apply_timeouts(connection: Connection, settings: MigrationSettings | None = None) -> None:
    """``SET lock_timeout`` and ``statement_timeout`` for this session (bound values, not spliced)."""
    settings = settings or MigrationSettings()
    for name, value in (
        ("lock_timeout", settings.lock_timeout),
        ("statement_timeout", settings.statement_timeout),
    ):
        connection.execute(text("SELECT set_config(:name, :value, false)"), {"name": name, "value": value})


def grant_runtime_role(connection: Connection, settings: MigrationSettings | None = None) -> None:
    """The runtime role's row access to everything the migrator owns (no-op without the setting)."""
    role = (settings or MigrationSettings()).runtime_role
    if role is None:
        return
    quoted = connection.dialect.identifier_preparer.quote(role)
    for grant in GRANTS:
        connection.execute(text(grant.format(role=quoted)))


def run_env(target_metadata: MetaData | Sequence[MetaData], default_url: str) -> None:
    """The body of a service's ``migrations/env.py``; online mode only (we never emit SQL scripts)."""
    config = context.config
    url = config.attributes.get("url") or default_url

    def run(connection: Connection) -> None:
        apply_timeouts(connection)
        # The timeouts are session settings and outlive this commit. Alembic must find the connection
        # outside a transaction: one it did not begin is "external", and autocommit_block() cannot end it.
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        grant_runtime_role(connection)
        connection.commit()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
    else:
        asyncio.run(run_async())


def alembic_config(service_root: Path) -> Config:
    config = Config(str(service_root / "alembic.ini"))
    config.set_main_option("script_location", str(service_root / "migrations"))
    return config


async def upgrade(service_root: Path, url: str, revision: str = "head") -> None:
    """Migrate a database up to ``revision`` from async code (start-up, tests)."""
    await _run(service_root, url, lambda config: command.upgrade(config, revision))


async def downgrade(service_root: Path, url: str, revision: str) -> None:
    """Migrate a database down to ``revision`` (``"base"`` undoes every migration)."""
    await _run(service_root, url, lambda config: command.downgrade(config, revision))


async def _run(service_root: Path, url: str, step: Callable[[Config], None]) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    config = alembic_config(service_root)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)

    # Not engine.begin(): an outer transaction would hold every revision, and a revision's
    # autocommit_block() could not commit it (see the module's docstring).
    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
    await engine.dispose()
