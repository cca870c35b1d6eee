"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "No such service order"


class IdempotencyKeyReused(Unprocessable):
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was already used for a different request"


class PrivilegeNotOffered(Unprocessable):
    slug = "privilege-not-offered"
    title = "The member's tier does not offer this privilege"


class MissingBookingField(Unprocessable):
    slug = "missing-booking-field"
    title = "The booking lacks what this privilege needs"


class AppointmentInThePast(Unprocessable):
    slug = "appointment-in-the-past"
    title = "The appointment time has passed"


class OrderNotCancellable(Conflict):
    slug = "order-not-cancellable"
    title = "The order can no longer be cancelled"


class OrderNotRateable(Conflict):
    slug = "order-not-rateable"
    title = "Only a completed, unrated order can be rated"


class OrderHasNoMerchant(Conflict):
    slug = "order-has-no-merchant"
    title = "No merchant has taken this order yet"
