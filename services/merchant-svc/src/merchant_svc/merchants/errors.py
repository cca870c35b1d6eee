"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unauthorized


class MerchantNotFound(NotFound):
    slug = "merchant-not-found"
    title = "Merchant not found"


class MerchantNameTaken(Conflict):
    slug = "merchant-name-taken"
    title = "A merchant with this name exists"


class IllegalMerchantStatus(Conflict):
    slug = "illegal-merchant-status"
    title = "The merchant cannot move to this status"


class ApiKeyNotFound(NotFound):
    slug = "api-key-not-found"
    title = "API key not found"


class ApiKeyRevoked(Conflict):
    slug = "api-key-revoked"
    title = "The API key is revoked"


class InvalidApiKey(Unauthorized):
    slug = "invalid-api-key"
    title = "The API key is not valid"
