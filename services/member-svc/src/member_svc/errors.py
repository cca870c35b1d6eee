"""member-svc's domain errors: stable problem types on top of the kit's status classes."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, Forbidden, TooManyRequests, Unauthorized, Unprocessable


class InvalidField(Unprocessable):
    """A value that is well-formed but wrong in context (unknown manager code, gender against the ID…)."""

    slug = "validation"
    title = "The request is not valid"

    def __init__(self, field: str, message: str, code: str = "value_error") -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message, "code": code}])


class MemberExists(Conflict):
    slug = "member-exists"
    title = "A member with this ID-card number already exists"


class IdNumberHeldElsewhere(Conflict):
    slug = "id-number-held-by-another-member"
    title = "Another member holds this ID-card number: this application cannot be approved"


class PhoneTaken(Conflict):
    slug = "phone-taken"
    title = "Another member uses this phone number"


class OpenidTaken(Conflict):
    slug = "openid-taken"
    title = "The WeChat account or the member is already bound"


class WrongState(Conflict):
    slug = "wrong-state"
    title = "Not possible in the current state"


class TaskHeldElsewhere(Conflict):
    slug = "task-held-by-another-reviewer"
    title = "Another reviewer holds this task"


class PhoneChangeNeedsProof(Forbidden):
    slug = "phone-change-needs-proof"
    title = "The sign-in phone changes only with a code sent to the new number"


class PhoneNotProven(Unauthorized):
    slug = "phone-proof-required"
    title = "Prove the phone number with an SMS code first"


class RegistrationLimited(TooManyRequests):
    slug = "registration-limited"
    title = "Too many registrations for this phone number or ID-card number; try again tomorrow"
