"""Domain errors rendered as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    return problem_response(exc.to_problem(request.url.path))


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
    app.add_exception_handler(Exception, _on_unexpected)
