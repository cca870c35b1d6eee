"""Problems the gateway itself answers with (rendered by the kit's problem handler, ``Retry-After``
included when a problem carries ``retry_after``)."""

from __future__ import annotations

from cheyou_kit.errors import ProblemError, TooManyRequests


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
