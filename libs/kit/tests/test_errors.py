from __future__ import annotations

from typing import Any

import httpx
from cheyou_kit.errors import Conflict, TooManyRequests, install_problem_handlers
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import create_async_engine


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/busy")
    async def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached, connection timed out")

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("the seat was taken", seat="12A")

    @app.get("/slow-down")
    async def slow_down() -> None:
        raise TooManyRequests("a code was sent moments ago", retry_after=42.5)

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    return app


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_an_exhausted_connection_pool_is_a_503_with_retry_after() -> None:
    response = await _get("/busy")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/overloaded")


async def test_a_domain_error_is_a_problem_with_its_extensions() -> None:
    response = await _get("/conflict")

    assert response.status_code == 409
    assert response.json() | {"type": "", "title": ""} == {
        "type": "",
        "title": "",
        "status": 409,
        "detail": "the seat was taken",
        "instance": "/conflict",
        "seat": "12A",
    }


async def test_a_bug_is_a_500_that_leaks_nothing() -> None:
    response = await _get("/broken")

    assert response.status_code == 500
    assert "a bug" not in response.text


async def test_a_value_postgres_cannot_store_is_a_422_not_a_500(infra: Any) -> None:
    """Bounds and characters the schema let through (a huge integer, a NUL byte) stop at the database:
    the client sent something unstorable, so it is their 422, and nothing was written."""
    engine = create_async_engine(infra.postgres_dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/huge")
    async def huge() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT CAST(:n AS integer)"), {"n": 10**30})

    @app.get("/nul")
    async def nul() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT CAST(:s AS text)"), {"s": "a\x00b"})

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = [await client.get(path) for path in ("/huge", "/nul")]
    await engine.dispose()

    assert [a.status_code for a in answers] == [422, 422], [a.text for a in answers]
    assert all(a.json()["type"].endswith("/unstorable-value") for a in answers)


async def test_a_problem_that_says_when_to_come_back_sends_retry_after() -> None:
    response = await _get("/slow-down")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"
    assert response.json()["retry_after"] == 42.5


async def test_a_problem_without_retry_after_sends_no_header() -> None:
    assert "retry-after" not in (await _get("/conflict")).headers
