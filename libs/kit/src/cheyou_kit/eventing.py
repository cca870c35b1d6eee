"""Wires a service's events into its app: one producer, the outbox relay, and one consumer group.

A service declares only its subscriptions (``cheyou_events.Subscriptions`` of :class:`EventContext`,
one registry per domain's ``handlers.py``, combined in ``main.py``); topics follow from the catalogue,
and the consumer group is the service's name, so every service reads each event once. A handler::

    Context = EventContext[Settings]
    subscriptions = Subscriptions[Context]()

    @subscriptions.on(MemberContactChanged)
    async def on_member_contact_changed(ctx: Context, event: Envelope[MemberContactChanged]) -> None:
        await service.record_contact(ctx.session, event.data, ctx.settings)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from aiokafka import AIOKafkaProducer
from cheyou_events import EventConsumer, KafkaSettings, OutboxRelay, Subscriptions, create_producer
from sqlalchemy.ext.asyncio import AsyncSession

from cheyou_kit.settings import ServiceSettings

if TYPE_CHECKING:
    from cheyou_kit.app import Resources

S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True, slots=True)
class EventContext(Generic[S]):
    """What a handler receives besides the event: the consumer's session (the inbox row's transaction:
    write through it, never commit), the service's settings, and what the app's lifespan opened."""

    session: AsyncSession
    settings: S
    resources: Resources


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
    settings: S,
    resources: Resources,
    subscriptions: Subscriptions[EventContext[S]],
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
    if subscriptions:
        workers.append(
            EventConsumer(
                group_id=settings.group_id,
                topics=subscriptions.topics(),
                handlers=subscriptions.bind(lambda session: EventContext(session, settings, resources)),
                session_factory=resources.session_factory,
                bootstrap=settings.kafka_bootstrap_servers,
                kafka=kafka,
                producer=producer.producer,
            )
        )
    return producer, workers
