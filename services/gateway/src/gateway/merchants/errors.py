"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Forbidden, Unauthorized


class InvalidApiKey(Unauthorized):
    slug = "invalid-api-key"
    title = "The API key is not valid"


class MerchantSuspended(Forbidden):
    slug = "merchant-suspended"
    title = "The merchant may not use the API now"
