"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "Order not found"


class IllegalTransition(Conflict):
    slug = "illegal-order-transition"
    title = "The order cannot make this transition in its current state"
