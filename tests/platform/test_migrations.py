"""Every service's Alembic migrations create exactly the schema its models declare, and undo it."""

import importlib

import pytest
from cheyou_devinfra import Infra
from cheyou_devinfra.platform import SERVICES, Service
from cheyou_events import events_metadata
from cheyou_kit.migrations import downgrade
from cheyou_kit.testing import migrated_database, schema_drift
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
async def test_migrations_match_the_models(infra: Infra, service: Service) -> None:
    models = importlib.import_module(f"{service.module}.models")
    url = await migrated_database(infra, service.root, f"{service.database}_schema")

    assert await schema_drift(url, models.Base.metadata, events_metadata) == []


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
async def test_downgrade_to_base_leaves_no_table(infra: Infra, service: Service) -> None:
    url = await migrated_database(infra, service.root, f"{service.database}_down")

    await downgrade(service.root, url, "base")

    engine = create_async_engine(url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    await engine.dispose()
    assert tables == ["alembic_version"]
