"""Prometheus metrics of the events library (default registry; the service exposes ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_PUBLISHED = Counter("cheyou_events_published", "Events published by the outbox relay", ["topic"])
OUTBOX_BACKLOG = Gauge("cheyou_events_outbox_backlog", "Outbox rows not yet published", ["relay"])
OUTBOX_OLDEST_AGE = Gauge(
    "cheyou_events_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row (0 when the outbox is drained)",
    ["relay"],
)
EVENTS_CONSUMED = Counter(
    "cheyou_events_consumed",
    "Events taken off Kafka by a consumer group, by outcome (processed, duplicate, skipped)",
    ["group", "type", "outcome"],
)
EVENTS_FAILED = Counter("cheyou_events_failed", "Handler failures (each attempt)", ["group", "type"])
EVENTS_RETRIED = Counter("cheyou_events_retried", "Events sent to the retry topic", ["group"])
EVENTS_DEAD_LETTERED = Counter("cheyou_events_dead_lettered", "Events sent to the DLQ", ["group", "reason"])
CONSUMER_LAG = Gauge(
    "cheyou_events_consumer_lag", "Highwater minus position, per partition", ["group", "topic", "partition"]
)
DLQ_DEPTH = Gauge(
    "cheyou_events_dlq_depth",
    "Records held in the group's dead-letter topic (end minus start offsets: what nobody drained yet)",
    ["group", "topic"],
)
