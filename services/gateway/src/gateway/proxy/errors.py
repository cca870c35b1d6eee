"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import BadRequest, Forbidden, NotFound


class RoleNotAllowed(Forbidden):
    slug = "role-not-allowed"
    title = "This role may not use this part of the API"


class NoSuchRoute(NotFound):
    slug = "no-such-route"
    title = "No service serves this path"


class DotSegments(BadRequest):
    slug = "dot-segments"
    title = "Paths with '.' or '..' segments are not forwarded"
