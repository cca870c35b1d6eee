"""Idempotent provisioning on a running server: Kafka topics and PostgreSQL databases."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

log = logging.getLogger("cheyou_devinfra")

_TOPIC_ALREADY_EXISTS = 36


async def _partition_counts(admin: object, names: list[str]) -> dict[str, int]:
    described = await admin.describe_topics(names)  # type: ignore[attr-defined]
    counts: dict[str, int] = {}
    for topic in described:
        partitions = topic.get("partitions") or []
        if topic.get("error_code", 0) == 0 and all(p.get("leader", -1) >= 0 for p in partitions):
            counts[topic["topic"]] = len(partitions)
    return counts


async def ensure_topics(
    bootstrap: str,
    topics: Mapping[str, int],
    *,
    replication_factor: int | None = None,
    wait_seconds: float = 30.0,
) -> None:
    """Create each missing topic with its partition count; existing topics are left as they are.

    ``replication_factor`` defaults to min(3, brokers in the cluster). Returns once the
    metadata shows every topic with a leader on each partition, so producers can start at once.
    """
    if not topics:
        return
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(wait_seconds * 1000))
    await admin.start()
    try:
        # list_topics, not describe_topics: a metadata request naming a missing topic may auto-create it
        existing = set(await admin.list_topics())
        missing = [name for name in topics if name not in existing]
        if missing:
            if replication_factor is None:
                # aiokafka's NewTopic refuses -1 ("broker default") without a replica assignment
                brokers = (await admin.describe_cluster())["brokers"]
                replication_factor = max(1, min(3, len(brokers)))
            response = await admin.create_topics(
                [NewTopic(name, topics[name], replication_factor) for name in missing],
                timeout_ms=int(wait_seconds * 1000),
            )
            for name, code, *rest in getattr(
                response, "topic_errors", getattr(response, "topic_error_codes", [])
            ):
                if code not in (0, _TOPIC_ALREADY_EXISTS):
                    message = rest[0] if rest else ""
                    raise RuntimeError(f"creating topic {name!r} failed: error {code} {message}")
            log.info("kafka: created topics %s", ", ".join(f"{n}({topics[n]})" for n in missing))
        deadline = time.monotonic() + wait_seconds
        while True:
            counts = await _partition_counts(admin, list(topics))
            if all(name in counts for name in topics):
                break
            if time.monotonic() > deadline:
                pending = sorted(set(topics) - set(counts))
                raise TimeoutError(f"topics without leaders after {wait_seconds:.0f}s: {pending}")
            await asyncio.sleep(0.1)
        for name, wanted in topics.items():
            if counts[name] != wanted:
                log.warning(
                    "kafka: topic %s exists with %d partitions (asked for %d)", name, counts[name], wanted
                )
    finally:
        await admin.close()


def database_dsn(server_dsn: str, name: str) -> str:
    """``server_dsn`` pointed at database ``name``, as a plain ``postgresql://`` URL."""
    parts = urlsplit(server_dsn)
    return urlunsplit(("postgresql", parts.netloc, "/" + quote(name, safe=""), parts.query, parts.fragment))


async def ensure_database(server_dsn: str, name: str) -> str:
    """Create database ``name`` if it is missing; return ``postgresql://user:pass@host:port/name``.

    ``server_dsn`` may carry a SQLAlchemy driver suffix (``postgresql+asyncpg://``); it is dropped.
    """
    import asyncpg

    parts = urlsplit(server_dsn)
    conn = await asyncpg.connect(
        urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))
    )
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            quoted = '"' + name.replace('"', '""') + '"'
            try:
                await conn.execute(f"CREATE DATABASE {quoted}")
                log.info("postgres: created database %s", name)
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass  # created concurrently by another process
    finally:
        await conn.close()
    return database_dsn(server_dsn, name)
