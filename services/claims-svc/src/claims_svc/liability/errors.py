"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unprocessable


class UnknownScenario(Unprocessable):
    slug = "unknown-scenario"
    title = "Not a scenario of the standard list"


class NoOtherParty(Conflict):
    slug = "no-other-party"
    title = "A single-vehicle accident has no liability split"


class NoProposal(NotFound):
    slug = "no-liability-proposal"
    title = "No liability has been proposed for this claim"


class AlreadyAnswered(Conflict):
    slug = "liability-already-answered"
    title = "This party has already answered"


class NotAwaitingAnswers(Conflict):
    slug = "liability-not-pending"
    title = "The split is not waiting for answers"


class NoOtherPartyPhone(Unprocessable):
    slug = "no-other-party-phone"
    title = "Record the other party's mobile number first"


class OwnPhoneAsOtherParty(Unprocessable):
    slug = "other-party-phone-is-yours"
    title = "The other party's number is your own"


class CodeRequired(Unprocessable):
    slug = "liability-code-required"
    title = "The other party answers with the code sent to their phone, or from their own account"


class WrongCode(Unprocessable):
    slug = "liability-code-invalid"
    title = "The code is wrong or has expired"


class CodeExhausted(Unprocessable):
    slug = "liability-code-exhausted"
    title = "Too many wrong codes; ask for a new one"


class CodeRateLimited(TooManyRequests):
    slug = "liability-code-rate-limited"
    title = "Too many codes requested"


class NotYourParty(Forbidden):
    slug = "not-your-party"
    title = "You answer only as the other party of this claim"
