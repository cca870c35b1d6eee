"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import BadRequest, Conflict, Unprocessable


class InvalidIdempotencyKey(BadRequest):
    slug = "invalid-idempotency-key"
    title = "The Idempotency-Key header must be 1–255 visible ASCII characters"


class IdempotencyKeyInUse(Conflict):
    slug = "idempotency-key-in-use"
    title = "A request with this Idempotency-Key is still being processed"


class IdempotencyOutcomeUnknown(Conflict):
    slug = "idempotency-outcome-unknown"
    title = "The first request with this Idempotency-Key timed out after reaching the service"


class IdempotencyKeyReused(Unprocessable):
    slug = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"
