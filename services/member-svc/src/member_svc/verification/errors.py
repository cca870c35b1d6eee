"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import NotFound


class QueueEmpty(NotFound):
    slug = "queue-empty"
    title = "No application is waiting"
