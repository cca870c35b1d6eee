"""Domain errors rendered as RFC 9457 problem details (``application/problem+json``).

Every service's errors subclass :class:`ProblemError` (or one of the status classes below) in the
domain's ``errors.py`` (errors several domains share: the service's ``errors.py``); the one handler
``install_problem_handlers`` (installed by ``create_service_app``) renders them, with ``Retry-After``
when a problem carries ``retry_after``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from asyncpg.exceptions import InterfaceError as AsyncpgInterfaceError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://cheyou.dev/problems/"
PROBLEM_JSON = "application/problem+json"

log = logging.getLogger(__name__)


class ProblemError(Exception):
    """Base of every domain error; subclasses set the status, a stable type slug and a title."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = extensions

    def headers(self) -> dict[str, str] | None:
        """``Retry-After`` when the problem says when to come back (a ``retry_after`` extension, seconds)."""
        retry_after = self.extensions.get("retry_after")
        return None if retry_after is None else {"Retry-After": str(max(1, int(retry_after)))}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class BadRequest(ProblemError):
    pass


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(ProblemError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class Unprocessable(ProblemError):
    status = 422
    slug = "unprocessable"
    title = "The request cannot be processed"


class TooManyRequests(ProblemError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"


def problem_response(problem: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        jsonable_encoder(problem), status_code=problem["status"], media_type=PROBLEM_JSON, headers=headers
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.to_problem(request.url.path), headers=exc.headers())


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"], "code": err["type"]}
        for err in exc.errors()
    ]
    problem = {
        "type": PROBLEM_BASE + "validation",
        "title": "The request is not valid",
        "status": 422,
        "detail": "; ".join(f"{e['field']}: {e['message']}" for e in errors),
        "instance": request.url.path,
        "errors": errors,
    }
    return problem_response(problem)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = {
        "type": "about:blank",
        "title": str(exc.detail),
        "status": exc.status_code,
        "instance": request.url.path,
    }
    return problem_response(problem, headers=exc.headers)


async def _on_pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    """Every database connection stayed busy for the pool's timeout: overload, not a bug — say so."""
    log.warning(
        "no database connection free for %s %s (%s): answering 503", request.method, request.url.path, exc
    )
    problem = {
        "type": PROBLEM_BASE + "overloaded",
        "title": "The service is overloaded; try again shortly",
        "status": 503,
        "instance": request.url.path,
    }
    return problem_response(problem, headers={"Retry-After": "1"})


_DATABASE_GOING_AWAY = ("57P01", "57P02", "57P03", "08000", "08003", "08006")
"""SQLSTATEs of a server shutting down or starting up (admin/crash shutdown, cannot connect now) and of
lost connections."""


def _database_unreachable(exc: BaseException) -> bool:
    """The database went away under the request (a restart, a failover): the connection was lost (and
    SQLAlchemy has invalidated the pool's connections), or a new one was refused."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    seen: BaseException | None = exc
    while seen is not None:
        if str(getattr(seen, "sqlstate", "") or "") in _DATABASE_GOING_AWAY:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unavailable(request: Request, exc: BaseException, slug: str, title: str) -> JSONResponse:
    log.warning("%s on %s %s (%s): answering 503", slug, request.method, request.url.path, type(exc).__name__)
    problem = {"type": PROBLEM_BASE + slug, "title": title, "status": 503, "instance": request.url.path}
    return problem_response(problem, headers={"Retry-After": "1"})


def _database_unavailable(request: Request, exc: BaseException) -> JSONResponse:
    return _unavailable(
        request,
        exc,
        "database-unavailable",
        "The service's database is briefly unavailable; try again shortly",
    )


async def _on_connection_error(request: Request, exc: Exception) -> JSONResponse:
    """A connection refused or reset that no feature handled — Postgres restarting refuses new
    connections (the pool connects again on the next checkout): 503, not a bug."""
    return _unavailable(
        request, exc, "dependency-unavailable", "This feature is briefly unavailable; try again shortly"
    )


def _unstorable(exc: BaseException) -> bool:
    """A value Postgres refused as data (SQLSTATE class 22: out of range, NUL byte, bad encoding) or one
    asyncpg could not even encode as a parameter (its client-side DataError, an InterfaceError that is
    a ValueError)."""
    seen: BaseException | None = exc
    while seen is not None:
        if str(getattr(seen, "sqlstate", "") or "").startswith("22"):
            return True
        if isinstance(seen, AsyncpgInterfaceError) and isinstance(seen, ValueError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """Input the schema let through but the database cannot store is the client's 422 (the transaction
    rolled back: nothing was written); a lost database is a 503; any other database error is ours."""
    if _database_unreachable(exc):
        return _database_unavailable(request, exc)
    if not _unstorable(exc):
        return await _on_unexpected(request, exc)
    log.info("unstorable value on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
    problem = {
        "type": PROBLEM_BASE + "unstorable-value",
        "title": "A value in the request is out of range or contains characters that cannot be stored",
        "status": 422,
        "instance": request.url.path,
    }
    return problem_response(problem)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = {
        "type": PROBLEM_BASE + "internal",
        "title": "Internal error",
        "status": 500,
        "instance": request.url.path,
    }
    return problem_response(problem)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(PoolTimeout, _on_pool_timeout)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(ConnectionError, _on_connection_error)
    app.add_exception_handler(Exception, _on_unexpected)
