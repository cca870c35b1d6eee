"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import NotFound


class AlertNotFound(NotFound):
    slug = "weather-alert-not-found"
