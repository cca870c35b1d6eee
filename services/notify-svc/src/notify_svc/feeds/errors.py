"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import NotFound, Unauthorized


class ProviderNotPulled(NotFound):
    slug = "feed-provider-not-pulled"
    title = "This provider is not pulled (it has no pull URL configured)"


class FeedItemNotFound(NotFound):
    slug = "feed-item-not-found"
    title = "No such feed item"


class SignatureMissing(Unauthorized):
    slug = "feed-signature-missing"
    title = "A feed push needs webhook-id, webhook-timestamp and webhook-signature headers"


class SignatureInvalid(Unauthorized):
    slug = "feed-signature-invalid"
    title = "The feed push's signature does not match"


class SignatureExpired(Unauthorized):
    slug = "feed-signature-expired"
    title = "The feed push was signed too long ago (or in the future)"
