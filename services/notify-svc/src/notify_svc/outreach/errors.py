"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import NotFound, Unauthorized


class BadReplyToken(Unauthorized):
    slug = "bad-receipt-token"


class UnknownInvitation(NotFound):
    slug = "unknown-invitation"
    title = "This unsubscribe link is not known"
