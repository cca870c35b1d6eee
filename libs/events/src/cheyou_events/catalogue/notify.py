"""Notify events (``notify.events``): delivery outcomes of messages to members."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Channel, Id
from cheyou_events.event import Event


class NotifyEvent(Event):
    topic: ClassVar[str] = "notify.events"


class MessageSent(NotifyEvent):
    """A message reached the channel's provider."""

    event_type: ClassVar[str] = "cheyou.notify.message_sent.v1"

    message_id: Id
    member_id: Id
    channel: Channel
    template_code: Id
    cause_event_id: UUID | None = None
    sent_at: AwareDatetime


class MessageFailed(NotifyEvent):
    """The channel's provider refused the message or it timed out."""

    event_type: ClassVar[str] = "cheyou.notify.message_failed.v1"

    message_id: Id
    member_id: Id
    channel: Channel
    template_code: Id
    error_code: str
    will_retry: bool
    failed_at: AwareDatetime


class InvitationOptedOut(NotifyEvent):
    """An invitee asked to hear no more about the invitation: a reply TD to the SMS, or the unsubscribe
    link. Reminders stop; member-svc records it against the invitation list and the manager."""

    event_type: ClassVar[str] = "cheyou.notify.invitation_opted_out.v1"

    member_id: Id
    via: Literal["sms_reply", "unsubscribe_link"]
    opted_out_at: AwareDatetime
