"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Forbidden, NotFound, Unprocessable


class ServicePointNotFound(NotFound):
    slug = "service-point-not-found"
    title = "Service point not found"


class LocationOutsideChina(Unprocessable):
    slug = "location-outside-china"
    title = "The location is outside China"


class MayNotManagePoints(Forbidden):
    slug = "merchant-role-not-permitted"
    title = "This merchant user's role may not do this"
