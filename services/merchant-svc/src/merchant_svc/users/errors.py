"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, Forbidden, NotFound, Unauthorized


class MerchantUserNotFound(NotFound):
    slug = "merchant-user-not-found"
    title = "Merchant user not found"


class NotPermitted(Forbidden):
    slug = "merchant-role-not-permitted"
    title = "The merchant user's role does not allow this"


class PhoneTaken(Conflict):
    slug = "merchant-user-phone-taken"
    title = "Another merchant user signs in with this phone number"


class MerchantUserInactive(Unauthorized):
    slug = "merchant-user-inactive"
    title = "The merchant user is disabled, or the merchant may not use the platform now"
