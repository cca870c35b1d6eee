"""The kit's sessions (issue 20): the pool pings nothing on checkout — a connection lost under it is a
503, then the pool has fresh connections, never a 500 — and a read-only session spends no round trips on
BEGIN and COMMIT."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from cheyou_kit.db import ReadOnlySession, ReadSessionDep, SessionDep, create_engine, create_session_factory
from cheyou_kit.errors import install_problem_handlers
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


async def test_connections_killed_under_the_pool_are_a_503_then_the_pool_recovers(infra: Any) -> None:
    engine = create_engine(infra.postgres_dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    app = FastAPI()
    install_problem_handlers(app)
    app.state.session_factory = create_session_factory(engine)

    @app.get("/one")
    async def one(session: SessionDep) -> dict[str, int]:
        return {"backend": (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            first = await client.get("/one")
            assert first.status_code == 200
            admin = await asyncpg.connect(infra.postgres_dsn)
            try:  # what a Postgres restart does to the pooled connection
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", first.json()["backend"])
            finally:
                await admin.close()
            lost = await client.get("/one")
            after = [await client.get("/one") for _ in range(3)]
    finally:
        await engine.dispose()

    assert lost.status_code == 503, lost.text
    assert lost.headers["retry-after"] == "1"
    assert lost.json()["type"].endswith("/database-unavailable")
    assert [a.status_code for a in after] == [200, 200, 200]


async def test_a_database_that_refuses_connections_is_a_503() -> None:
    engine = create_engine("postgresql+asyncpg://nobody:nothing@127.0.0.1:9/none")  # nothing listens
    app = FastAPI()
    install_problem_handlers(app)
    app.state.session_factory = create_session_factory(engine)

    @app.get("/one")
    async def one(session: SessionDep) -> None:
        await session.execute(text("SELECT 1"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        refused = await client.get("/one")
    await engine.dispose()

    assert refused.status_code == 503, refused.text
    assert refused.json()["type"].endswith("/dependency-unavailable")


async def test_a_read_session_runs_without_a_transaction_and_refuses_to_write(infra: Any) -> None:
    """ReadSessionDep: no BEGIN/COMMIT round trips (each statement its own snapshot — now() moves between
    two statements, which inside a transaction it never does), and an ORM flush through it is refused."""
    engine = create_engine(infra.postgres_dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    app = FastAPI()
    install_problem_handlers(app)
    app.state.session_factory = create_session_factory(engine)

    async def two_clocks(session: AsyncSession) -> bool:
        first = (await session.execute(text("SELECT now()"))).scalar_one()
        await session.execute(text("SELECT pg_sleep(0.02)"))
        return bool((await session.execute(text("SELECT now()"))).scalar_one() != first)

    @app.get("/read")
    async def read(session: ReadSessionDep) -> dict[str, bool]:
        return {"moved": await two_clocks(session)}

    @app.get("/transaction")
    async def in_transaction(session: SessionDep) -> dict[str, bool]:
        return {"moved": await two_clocks(session)}

    @app.get("/write")
    async def write(session: ReadSessionDep) -> None:
        session.add(_Thing(id=1))
        await session.flush()

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            read_answer, transaction_answer = await client.get("/read"), await client.get("/transaction")
            with pytest.raises(ReadOnlySession):
                await httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test").get(
                    "/write"
                )
    finally:
        await engine.dispose()

    assert read_answer.json() == {"moved": True}
    assert transaction_answer.json() == {"moved": False}


class _Base(DeclarativeBase):
    pass


class _Thing(_Base):
    __tablename__ = "kit_read_session_things"
    id: Mapped[int] = mapped_column(primary_key=True)
