"""``notify.events``: a message's outcome, written to the outbox with the status change it reports.

Sent (the provider accepted it) and failed (refused, or timed out, with ``will_retry``) on the push
channels; inbox items are not reported (they are written with the fact itself), nor are messages skipped
by the daily limit.
"""

from __future__ import annotations

from datetime import datetime

from cheyou_events import Envelope
from cheyou_events.catalogue.notify import MessageFailed, MessageSent

from notify_svc.delivery.models import Message
from notify_svc.eventing import publish


def sent(message: Message, at: datetime) -> Envelope[MessageSent]:
    event = MessageSent(
        message_id=str(message.id),
        member_id=message.member_id,
        channel=message.channel,
        template_code=message.template_code,
        cause_event_id=message.cause_event_id,
        sent_at=at,
    )
    return publish.envelope(event)


def failed(message: Message, error: str, will_retry: bool, at: datetime) -> Envelope[MessageFailed]:
    event = MessageFailed(
        message_id=str(message.id),
        member_id=message.member_id,
        channel=message.channel,
        template_code=message.template_code,
        error_code=error,
        will_retry=will_retry,
        failed_at=at,
    )
    return publish.envelope(event)
