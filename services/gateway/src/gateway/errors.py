"""Problems the gateway itself answers with, and their rendering with ``Retry-After``."""

from __future__ import annotations

from cheyou_kit.errors import ProblemError, TooManyRequests, problem_response
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class RateLimited(TooManyRequests):
    slug = "rate-limited"
    title = "Too many requests; slow down"


class BadGateway(ProblemError):
    status = 502
    slug = "bad-gateway"
    title = "The service behind the gateway failed"

    def __init__(
        self, detail: str | None = None, *, reached_service: bool = False, **extensions: object
    ) -> None:
        super().__init__(detail, **extensions)
        self.reached_service = reached_service
        """True when the request went out and the connection broke before the answer (the service may
        have done the work and died, or dropped the connection, before answering)."""


class ServiceUnavailable(ProblemError):
    status = 503
    slug = "service-unavailable"
    title = "The service behind the gateway is unavailable"


class UpstreamTimeout(ProblemError):
    status = 504
    slug = "upstream-timeout"
    title = "The service behind the gateway did not answer in time"

    def __init__(self, detail: str | None = None, *, reached_service: bool, **extensions: object) -> None:
        super().__init__(detail, **extensions)
        self.reached_service = reached_service
        """False when no connection was made (the service never saw the request): safe to send again."""


class PayloadTooLarge(ProblemError):
    status = 413
    slug = "payload-too-large"
    title = "The request body is too large"


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    retry_after = exc.extensions.get("retry_after")
    headers = {"Retry-After": str(max(1, int(retry_after)))} if retry_after is not None else None
    return problem_response(exc.to_problem(request.url.path), headers=headers)


def install_retry_after(app: FastAPI) -> None:
    """Like the kit's problem handler, plus ``Retry-After`` when a problem says when to come back."""
    app.add_exception_handler(ProblemError, _on_problem)
