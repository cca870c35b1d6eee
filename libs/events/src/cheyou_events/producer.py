"""The aiokafka producer, built from settings."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from cheyou_events.settings import KafkaSettings


def create_producer(
    settings: KafkaSettings | None = None, *, client_id: str | None = None
) -> AIOKafkaProducer:
    """A producer (not started). Idempotence forces ``acks=all``; keyed order holds either way because
    aiokafka keeps one batch per partition in flight."""
    settings = settings or KafkaSettings()
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=client_id or settings.client_id,
        acks="all" if settings.idempotence else settings.acks,
        enable_idempotence=settings.idempotence,
        linger_ms=settings.linger_ms,
        max_batch_size=settings.max_batch_size,
        request_timeout_ms=settings.request_timeout_ms,
        **settings.client_options(),
    )
