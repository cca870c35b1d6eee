"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, Forbidden, NotFound, Unprocessable


class PublicationNotFound(NotFound):
    slug = "publication-not-found"


class SelfApproval(Forbidden):
    slug = "publication-self-approval"
    title = "A publication is approved by someone other than its author"


class PublicationStateConflict(Conflict):
    slug = "publication-state-conflict"


class SegmentRequired(Unprocessable):
    slug = "publication-segment-required"
    title = "Publishing to member channels needs a segment"


class NotYourCustomer(Forbidden):
    slug = "not-your-customer"
    title = "A manager shares only with their own customers"
