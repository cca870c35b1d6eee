"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, ProblemError, Unprocessable


class NotificationInvalid(ProblemError):
    """Answered to WeChat Pay as it expects a failure: a 4xx with ``{"code": "FAIL", "message"}``."""

    status = 401
    slug = "payment-notification-invalid"
    title = "Not a notification from WeChat Pay"


class ReconciliationNotFound(NotFound):
    slug = "reconciliation-not-found"
    title = "That day was not reconciled"


class BillUnavailable(ProblemError):
    status = 502
    slug = "bill-unavailable"
    title = "WeChat Pay's bill could not be downloaded; try again later"


class BillDateInFuture(Unprocessable):
    slug = "bill-date-in-future"
    title = "WeChat Pay has no bill for a day that has not begun (Beijing time)"


class PaymentNotFound(NotFound):
    slug = "payment-not-found"
    title = "No such payment"


class PayerUnknown(Unprocessable):
    slug = "payer-unknown"
    title = "WeChat is not bound to this member: pay in a browser instead (channel h5)"


class PaymentProviderFailed(ProblemError):
    status = 502
    slug = "payment-provider-failed"
    title = "WeChat Pay did not take the payment; try again"


class PaymentsNotConfigured(ProblemError):
    status = 503
    slug = "payments-not-configured"
    title = "Payments are not available on this service"


class NothingToPay(Conflict):
    slug = "nothing-to-pay"
    title = "This is not awaiting payment"


class RefundTooLarge(Conflict):
    slug = "refund-too-large"
    title = "More than is left of the payment"


class UnknownPayment(Unprocessable):
    slug = "payment-unknown"
    title = "Not one of our payments"


class AmountMismatch(Unprocessable):
    slug = "payment-amount-mismatch"
    title = "The amount is not the payment's"


class UnknownRefund(Unprocessable):
    slug = "refund-unknown"
    title = "Not one of our refunds"
