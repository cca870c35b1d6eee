"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import NotFound, Unprocessable


class PrivilegeNotFound(NotFound):
    slug = "privilege-not-found"
    title = "No such privilege"


class InvalidTerms(Unprocessable):
    slug = "invalid-terms"
    title = "The terms are not consistent"
