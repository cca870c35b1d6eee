"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class InsufficientPoints(Unprocessable):
    slug = "insufficient-points"
    title = "Not enough points"


class EntryNotFound(NotFound):
    slug = "points-entry-not-found"
    title = "No such points entry"


class RuleNotFound(NotFound):
    slug = "earning-rule-not-found"
    title = "No such earning rule"


class NotADebit(Conflict):
    slug = "not-a-debit"
    title = "Only a debit can be reversed"
