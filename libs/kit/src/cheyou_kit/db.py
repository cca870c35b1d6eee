"""The async engine and the request-scoped session: commit after the handler, rollback on error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base; each service keeps its own metadata by subclassing in its ``models`` package."""

    __abstract__ = True


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 30.0,
    statement_cache_size: int = 100,
) -> AsyncEngine:
    """The service's engine: a pool of ``pool_size`` (+ ``max_overflow`` under a burst) connections.

    ``statement_cache_size=0`` is for PgBouncer in transaction mode: consecutive transactions of one
    client connection run on different server connections, so a prepared statement cached on "this"
    connection may not exist there, and asyncpg's numbered names (``__asyncpg_stmt_1__``) of two
    clients collide on one server connection. Neither SQLAlchemy's cache nor asyncpg's keeps a
    statement then, and every statement is prepared under a unique name, within its transaction
    (SQLAlchemy's asyncpg dialect: "Prepared Statement Name with PGBouncer").
    """
    connect_args: dict[str, Any] = {"prepared_statement_cache_size": statement_cache_size}
    if statement_cache_size == 0:
        connect_args["statement_cache_size"] = 0  # asyncpg's own cache
        connect_args["prepared_statement_name_func"] = unique_statement_name
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The only place that commits: after the route returns, before the response leaves."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
