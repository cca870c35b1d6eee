"""Cheyou events: envelope, catalogue, producer, transactional outbox and relay, inbox consumer, DLQ."""

from cheyou_events import catalogue as _catalogue  # noqa: F401  (registers every event)
from cheyou_events.consumer import EventConsumer, Handler
from cheyou_events.envelope import Envelope, KafkaRecord, MalformedEvent, from_record, to_record
from cheyou_events.event import Catalogue, Event, UnknownEventType, catalogue
from cheyou_events.outbox import (
    Publisher,
    add_event,
    add_events,
    create_event_tables,
    drop_event_tables,
    event_inbox,
    event_outbox,
    events_metadata,
)
from cheyou_events.producer import create_producer
from cheyou_events.relay import OutboxRelay, replay
from cheyou_events.settings import ConsumerSettings, KafkaSettings, OutboxSettings
from cheyou_events.subscriptions import EventHandler, Subscriptions
from cheyou_events.topics import TOPICS, dlq_topic, ensure_topics, retry_topic

__all__ = [
    "TOPICS",
    "Catalogue",
    "ConsumerSettings",
    "Envelope",
    "Event",
    "EventConsumer",
    "EventHandler",
    "Handler",
    "KafkaRecord",
    "KafkaSettings",
    "MalformedEvent",
    "OutboxRelay",
    "OutboxSettings",
    "Publisher",
    "Subscriptions",
    "UnknownEventType",
    "add_event",
    "add_events",
    "catalogue",
    "create_event_tables",
    "create_producer",
    "dlq_topic",
    "drop_event_tables",
    "ensure_topics",
    "event_inbox",
    "event_outbox",
    "events_metadata",
    "from_record",
    "replay",
    "retry_topic",
    "to_record",
]
