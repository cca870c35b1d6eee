"""Wires a service's events into its app: one producer, the outbox relay, and one consumer group.

A service declares only its handlers (event type → handler); topics follow from the catalogue, and
the consumer group is the service's name, so every service reads each event once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaProducer
from cheyou_events import EventConsumer, Handler, KafkaSettings, OutboxRelay, catalogue, create_producer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cheyou_kit.settings import ServiceSettings


class ProducerComponent:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def ready(self) -> None:
        await self.producer.client.fetch_all_metadata()


def kafka_settings(settings: ServiceSettings) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        broker_kind=settings.kafka_broker_kind,
        client_id=settings.service_name,
    )


def event_components(
    settings: ServiceSettings,
    session_factory: async_sessionmaker[AsyncSession],
    handlers: Mapping[str, Handler],
) -> tuple[ProducerComponent, Sequence[OutboxRelay | EventConsumer]]:
    """The producer (always: the Kafka probe goes through it) and, when enabled, relay and consumer."""
    kafka = kafka_settings(settings)
    producer = ProducerComponent(create_producer(kafka, client_id=settings.service_name))
    if not settings.consumers_enabled:
        return producer, ()
    # The relay LISTENs and holds a session-level advisory lock: its connection goes to the database
    # itself (DATABASE_DIRECT_URL), never through a transaction-mode pooler.
    workers: list[OutboxRelay | EventConsumer] = [
        OutboxRelay(settings.direct_sqlalchemy_url, producer.producer, name=f"{settings.service_name}-relay")
    ]
    if handlers:
        workers.append(
            EventConsumer(
                group_id=settings.group_id,
                topics=sorted({catalogue.topic(event_type) for event_type in handlers}),
                handlers=handlers,
                session_factory=session_factory,
                bootstrap=settings.kafka_bootstrap_servers,
                kafka=kafka,
                producer=producer.producer,
            )
        )
    return producer, workers
