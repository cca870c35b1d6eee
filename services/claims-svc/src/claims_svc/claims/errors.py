"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, Forbidden, NotFound, Unprocessable


class IllegalTransition(Conflict):
    slug = "illegal-transition"
    title = "The claim cannot make this step from its current state"


class ClaimNotFound(NotFound):
    slug = "claim-not-found"
    title = "No such claim"


class LossInFuture(Unprocessable):
    slug = "loss-time-in-future"
    title = "The loss time is in the future"


class OutsideServiceArea(Unprocessable):
    slug = "outside-service-area"
    title = "The location is outside the area this branch serves"


class NoCover(Unprocessable):
    slug = "no-cover"
    title = "No motor policy covers the vehicle at the loss time"


class NotPolicyHolder(Forbidden):
    slug = "not-policy-holder"
    title = "You do not hold a policy on this vehicle"


class PlateMismatch(Unprocessable):
    slug = "plate-mismatch"
    title = "The plate is not the insured vehicle's"


class ClaimNotEditable(Conflict):
    slug = "claim-not-editable"
    title = "The report can no longer be changed"


class OtherPartyPhoneFrozen(Conflict):
    slug = "other-party-phone-frozen"
    title = "The other party's phone cannot change once they have been asked to confirm"


class WithdrawalNotAllowed(Conflict):
    slug = "withdrawal-not-allowed"
    title = "The claim can no longer be withdrawn"


class NoWithdrawalRequest(Conflict):
    slug = "no-withdrawal-request"
    title = "The member has not asked to withdraw this claim"


class AmountOverApproved(Unprocessable):
    slug = "amount-over-approved"
    title = "The payment exceeds the approved amount"
