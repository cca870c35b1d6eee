"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Unprocessable


class InvalidPeriod(Unprocessable):
    slug = "invalid-period"
    title = "The period is not valid"
