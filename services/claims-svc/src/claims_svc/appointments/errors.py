"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class SlotNotFound(NotFound):
    slug = "slot-not-found"
    title = "No such appointment slot"


class AppointmentNotFound(NotFound):
    slug = "appointment-not-found"
    title = "No such appointment"


class SlotExists(Conflict):
    slug = "slot-exists"
    title = "The site already has a slot starting then"


class SlotBooked(Conflict):
    slug = "slot-booked"
    title = "The slot is already booked"


class ClaimAlreadyBooked(Conflict):
    slug = "claim-already-booked"
    title = "The claim already has an appointment; reschedule it instead"


class NotAnInjuryClaim(Unprocessable):
    slug = "not-an-injury-claim"
    title = "Injury mediation is for claims in which someone was injured"


class SlotInThePast(Unprocessable):
    slug = "slot-in-the-past"
    title = "The slot has already begun"


class AppointmentCancelledAlready(Conflict):
    slug = "appointment-cancelled"
    title = "The appointment is cancelled"


class ClaimClosedForAppointments(Conflict):
    slug = "claim-closed"
    title = "The claim is no longer being handled"
