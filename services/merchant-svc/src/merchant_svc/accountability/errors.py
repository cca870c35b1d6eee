"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound


class CaseNotFound(NotFound):
    slug = "accountability-case-not-found"
    title = "Accountability case not found"


class CaseClosed(Conflict):
    slug = "accountability-case-closed"
    title = "The case is already decided"
