"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, ProblemError, Unauthorized


class InvalidCredentials(Unauthorized):
    slug = "invalid-credentials"
    title = "Wrong username or password"


class AccountLocked(ProblemError):
    status = 423
    slug = "account-locked"
    title = "Too many failed sign-ins; the account is locked for a while"


class StaffAccountExists(Conflict):
    slug = "staff-account-exists"
    title = "A staff account with this username exists"


class StaffAccountNotFound(NotFound):
    slug = "staff-account-not-found"
    title = "No such staff account"
