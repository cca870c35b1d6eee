"""The async engine and the request-scoped session: commit after the handler, rollback on error."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session


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
    recycle_seconds: int = 1800,
) -> AsyncEngine:
    """The service's engine: a pool of ``pool_size`` (+ ``max_overflow`` under a burst) connections.

    No ``pool_pre_ping``: with asyncpg SQLAlchemy pings as ``BEGIN; ;ROLLBACK`` — three round trips on
    every checkout, more than a small read's own work (issue 20). A connection that died meanwhile (a
    Postgres restart, a failover) fails its first statement instead; SQLAlchemy recognises the
    disconnect, drops that connection and marks every connection checked out before it as stale, so
    the pool refills with fresh ones, and the request is answered 503 ``database-unavailable`` with
    ``Retry-After`` (:mod:`cheyou_kit.errors`), never a 500. ``pool_recycle`` retires connections after
    ``recycle_seconds`` all the same (a server-side idle timeout, a load balancer that drops quiet
    connections).

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
        # Reads without a transaction (ReadSessionDep) need the statement prepared and run on one server
        # connection: true on a direct connection, and behind PgBouncer only when it keeps prepared
        # statements itself (max_prepared_statements, with the statement cache on).
        execution_options={AUTOCOMMIT_READS: statement_cache_size > 0},
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=recycle_seconds,
        connect_args=connect_args,
    )


AUTOCOMMIT_READS = "cheyou_autocommit_reads"
"""Engine execution option: may :data:`ReadSessionDep` run its statements without a transaction."""


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


class ReadOnlySession(RuntimeError):
    """Something tried to write through a :data:`ReadSessionDep`."""


_READ_ONLY = "cheyou_read_only"


@event.listens_for(Session, "before_flush")
def _refuse_flush(session: Session, *_: object) -> None:
    if session.info.get(_READ_ONLY):
        raise ReadOnlySession("this request's session only reads (ReadSessionDep): use SessionDep to write")


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for a route that only reads: no transaction around its statements.

    ``SessionDep`` costs a read three round trips — ``BEGIN``, the query, ``COMMIT`` — and the two that
    do nothing were a third of a small read's database work (issue 20). Here each statement runs on its
    own (autocommit), which is what it sees inside a READ COMMITTED transaction anyway: every statement
    its own snapshot. What a transaction would add is locks (``FOR UPDATE``, advisory locks) and
    all-or-nothing writes, so a route that locks or writes takes ``SessionDep``; an ORM flush here
    raises :class:`ReadOnlySession`. Behind PgBouncer in transaction mode without its own prepared
    statements (``statement_cache_size=0``) a statement is prepared and run in two round trips that must
    meet the same server connection, so there the reads keep their transaction.
    """
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    bind = factory.kw.get("bind")
    if isinstance(bind, AsyncEngine) and bind.get_execution_options().get(AUTOCOMMIT_READS, False):
        session = factory(bind=_autocommit(bind))  # a connection only once a statement needs one
    else:  # a transaction that only reads: closing the session ends it
        session = factory()
    async with session:
        session.info[_READ_ONLY] = True
        yield session


@functools.cache
def _autocommit(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (its pool) with every connection in autocommit, made once per engine."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
