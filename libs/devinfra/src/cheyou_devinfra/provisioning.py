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


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Objects a database migrated before the roles existed (by the server's superuser) hands to the migrator.
# A table's indexes and its identity/serial sequences follow the table; only free-standing sequences, views,
# functions and types are altered on their own.
_HAND_OVER = """
DO $do$
DECLARE
    o record;
BEGIN
    FOR o IN
        SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
               c.relname AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> {migrator}::regrole
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.deptype IN ('a', 'i')))
    LOOP
        EXECUTE format('ALTER %s public.%I OWNER TO %I', o.kind, o.name, {migrator_name});
    END LOOP;
    FOR o IN
        SELECT p.oid::regprocedure::text AS signature, p.prokind
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> {migrator}::regrole
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
                       CASE o.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                       o.signature, {migrator_name});
    END LOOP;
    FOR o IN
        SELECT t.typname AS name
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r') AND t.typowner <> {migrator}::regrole
    LOOP
        EXECUTE format('ALTER TYPE public.%I OWNER TO %I', o.name, {migrator_name});
    END LOOP;
END
$do$
"""


async def ensure_service_roles(
    server_dsn: str, database: str, *, migrator: tuple[str, str], runtime: tuple[str, str]
) -> tuple[str, str]:
    """Two login roles for a service's database, as production has them; returns their DSNs.

    - ``migrator`` (name, password) owns the ``public`` schema and everything in it: migrations run as
      it (``<PREFIX>MIGRATION_DATABASE_URL``) and may run DDL.
    - ``runtime`` (name, password) is what the service connects as (``<PREFIX>DATABASE_URL``): it may
      use the schema and read and write rows (``SELECT, INSERT, UPDATE, DELETE`` on tables, sequences'
      ``nextval``), through default privileges on whatever the migrator creates later — and nothing
      else: no ``CREATE``, ``ALTER``, ``DROP``, ``TRUNCATE``, no other service's database.

    Idempotent: roles are created or their passwords reset; objects that a migration run by the
    superuser created earlier are handed to the migrator. ``PUBLIC`` loses ``CONNECT`` and ``TEMP`` on
    the database and ``CREATE`` on its schema.
    """
    import asyncpg

    (migrator_name, migrator_password), (runtime_name, runtime_password) = migrator, runtime
    admin = await asyncpg.connect(database_dsn(server_dsn, "postgres"))
    try:
        for name, password in (migrator, runtime):
            try:
                await admin.execute(f"CREATE ROLE {_ident(name)} LOGIN PASSWORD {_literal(password)}")
            except asyncpg.DuplicateObjectError:
                await admin.execute(f"ALTER ROLE {_ident(name)} LOGIN PASSWORD {_literal(password)}")
            except asyncpg.UniqueViolationError:  # created concurrently by another launcher
                await admin.execute(f"ALTER ROLE {_ident(name)} LOGIN PASSWORD {_literal(password)}")
        db = _ident(database)
        await admin.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
        await admin.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {_ident(migrator_name)}")
        await admin.execute(f"GRANT CONNECT ON DATABASE {db} TO {_ident(runtime_name)}")
    finally:
        await admin.close()
    conn = await asyncpg.connect(database_dsn(server_dsn, database))
    m, r = _ident(migrator_name), _ident(runtime_name)
    try:
        async with conn.transaction():
            await conn.execute(f"ALTER SCHEMA public OWNER TO {m}")
            await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            await conn.execute(f"GRANT USAGE ON SCHEMA public TO {r}")
            await conn.execute(
                _HAND_OVER.format(migrator=_literal(migrator_name), migrator_name=_literal(migrator_name))
            )
            await conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {m} IN SCHEMA public "
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}"
            )
            await conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {m} IN SCHEMA public "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {r}"
            )
            await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}")
            await conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}")
    finally:
        await conn.close()
    return (
        _role_dsn(server_dsn, database, migrator_name, migrator_password),
        _role_dsn(server_dsn, database, runtime_name, runtime_password),
    )


def _role_dsn(server_dsn: str, database: str, user: str, password: str) -> str:
    parts = urlsplit(database_dsn(server_dsn, database))
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, parts.fragment))
