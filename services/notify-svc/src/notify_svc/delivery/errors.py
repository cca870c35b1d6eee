"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Unauthorized


class BadReceiptToken(Unauthorized):
    slug = "bad-receipt-token"
