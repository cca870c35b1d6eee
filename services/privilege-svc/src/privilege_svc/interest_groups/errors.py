"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from typing import ClassVar

from cheyou_kit.errors import Conflict, NotFound, ProblemError, Unprocessable


class GroupNotFound(NotFound):
    slug = "interest-group-not-found"
    title = "No such interest group"


class QrMissing(NotFound):
    slug = "interest-group-qr-missing"
    title = "The group has no QR code yet"


class QrExpired(ProblemError):
    status: ClassVar[int] = 410
    slug: ClassVar[str] = "interest-group-qr-expired"
    title: ClassVar[str] = "The group's QR code expired"


class GroupArchived(Conflict):
    slug = "interest-group-archived"
    title = "The group is archived"


class InvalidQr(Unprocessable):
    slug = "interest-group-invalid-qr"
    title = "The QR code must be a PNG or JPEG image of at most 512 KiB"


class InvalidExpiry(Unprocessable):
    slug = "interest-group-invalid-expiry"
    title = "A group QR expires within seven days from now"
