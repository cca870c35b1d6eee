"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Unprocessable


class ServiceMessagesAlwaysOn(Unprocessable):
    slug = "service-messages-always-on"
    title = "Service messages (claims, orders, account) cannot be switched off"
