"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import NotFound, Unprocessable


class MemberNotKnown(NotFound):
    slug = "member-not-known"
    title = "The member is not known to privilege-svc (no tier announced yet)"


class QuotaExhausted(Unprocessable):
    slug = "quota-exhausted"
    title = "The privilege's quota for this period is used up"
