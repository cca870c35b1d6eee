"""Alembic, run the same way by every service: from its ``env.py`` and programmatically at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_env(target_metadata: MetaData | Sequence[MetaData], default_url: str) -> None:
    """The body of a service's ``migrations/env.py``; online mode only (we never emit SQL scripts)."""
    config = context.config
    url = config.attributes.get("url") or default_url

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

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

    async with engine.begin() as connection:
        await connection.run_sync(run)
    await engine.dispose()
