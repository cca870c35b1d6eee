"""The platform's topics: one per producing domain, plus the core policy feed."""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from cheyou_events.settings import KafkaSettings

# Partition counts live here and only here. Key = member id (customer number for the core feed),
# so one member's events stay in one partition and in order.
TOPICS: Mapping[str, int] = {
    "member.events": 6,
    "privilege.events": 6,
    "merchant.events": 6,
    "claims.events": 6,
    "notify.events": 6,
    "core.policy.events": 6,
    "external.feed.events": 6,
}


def retry_topic(group_id: str) -> str:
    """The topic a consumer group parks failed events on until their next attempt is due."""
    return f"{group_id}.retry"


def dlq_topic(group_id: str) -> str:
    """The dead-letter topic of a consumer group."""
    return f"{group_id}.dlq"


async def ensure_topics(
    bootstrap: str,
    topics: Mapping[str, int],
    *,
    replication_factor: int = 1,
    client_id: str = "cheyou-admin",
    kafka: KafkaSettings | None = None,
) -> None:
    """Create the missing topics with the given partition counts; existing topics are left alone.
    ``kafka``: its TLS/SASL settings are used (plaintext without)."""
    options = kafka.client_options() if kafka is not None else {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id, **options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=name, num_partitions=partitions, replication_factor=replication_factor)
            for name, partitions in topics.items()
            if name not in existing
        ]
        if not missing:
            return
        try:
            await admin.create_topics(missing)
        except TopicAlreadyExistsError:
            pass  # another process created them between our list and our create
    finally:
        await admin.close()
