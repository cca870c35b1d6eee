"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class ActivityNotFound(NotFound):
    slug = "activity-not-found"
    title = "No such activity"


class SignupNotFound(NotFound):
    slug = "signup-not-found"
    title = "No such sign-up"


class ActivityClosed(Conflict):
    slug = "activity-closed"
    title = "The activity takes no more sign-ups"


class ActivityFull(Conflict):
    slug = "activity-full"
    title = "The activity is full"


class AlreadySignedUp(Conflict):
    slug = "already-signed-up"
    title = "The member is already signed up (or queued)"


class NotForTier(Unprocessable):
    slug = "activity-not-for-tier"
    title = "The activity is for other tiers"


class NotForInterests(Unprocessable):
    slug = "activity-not-for-interests"
    title = "The activity is for members with other interests"


class InvalidCheckInCode(Unprocessable):
    slug = "invalid-check-in-code"
    title = "The QR code is not a valid check-in code for this activity"


class NotCancellable(Conflict):
    slug = "signup-not-cancellable"
    title = "The sign-up can no longer be cancelled"
