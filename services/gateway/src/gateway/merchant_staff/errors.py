"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Forbidden, NotFound, Unauthorized


class NotAMerchantUser(NotFound):
    slug = "not-a-merchant-user"
    title = "No merchant user signs in with this phone number"


class MerchantUserInactive(Forbidden):
    slug = "merchant-user-inactive"
    title = "The merchant user is disabled, or the merchant may not use the platform now"


class MerchantSessionEnded(Unauthorized):
    slug = "merchant-user-inactive"
    title = "The merchant user is disabled, or the merchant may not use the platform now; sign in again"
