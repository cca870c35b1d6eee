"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class EndpointNotFound(NotFound):
    slug = "webhook-endpoint-not-found"
    title = "Webhook endpoint not found"


class MessageNotFound(NotFound):
    slug = "webhook-message-not-found"
    title = "Webhook message not found"


class EndpointDisabled(Conflict):
    slug = "webhook-endpoint-disabled"
    title = "The webhook endpoint is disabled"


class WebhookUrlRefused(Unprocessable):
    slug = "webhook-url-refused"
    title = "The webhook URL is not allowed"
