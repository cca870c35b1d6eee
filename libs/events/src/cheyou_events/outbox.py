"""The transactional outbox and the inbox: tables, migration helpers, and ``add_event``.

Each service owns these two tables in its own database. Its first migration creates them::

    from cheyou_events.outbox import create_event_tables, drop_event_tables

    def upgrade() -> None:
        create_event_tables(op)

    def downgrade() -> None:
        drop_event_tables(op)

and its ``migrations/env.py`` passes ``target_metadata=[Base.metadata, events_metadata]`` so autogenerate
knows about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    bindparam,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable, SetColumnComment

from cheyou_events.envelope import E, Envelope
from cheyou_events.event import Event
from cheyou_events.tracing import current_trace_context

if TYPE_CHECKING:
    from alembic.operations import Operations

NOTIFY_CHANNEL = "event_outbox"
KEY_LOCK_NAMESPACE = 0x63790001
"""``pg_advisory_xact_lock(KEY_LOCK_NAMESPACE, hashtext(key))`` serialises writers of one key."""
RELAY_LOCK_NAMESPACE = 0x63790002
"""``pg_try_advisory_lock(RELAY_LOCK_NAMESPACE, 0)`` is held by the one active relay of a database."""

events_metadata = MetaData()

event_outbox = Table(
    "event_outbox",
    events_metadata,
    Column("id", Uuid, primary_key=True, comment="the CloudEvents id; consumers dedupe on it"),
    Column("sequence", BigInteger, Identity(), nullable=False, comment="publication order"),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False, comment="partition key (member id)"),
    Column("type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("subject", Text, nullable=True),
    Column("time", DateTime(timezone=True), nullable=False, comment="CloudEvents time"),
    Column("payload", JSONB, nullable=False),
    Column("traceparent", Text, nullable=True),
    Column("tracestate", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ux_event_outbox_sequence", "sequence", unique=True),
    Index(
        "ix_event_outbox_unpublished",
        "sequence",
        postgresql_where=text("published_at IS NULL"),
    ),
    Index("ix_event_outbox_created_at", "created_at"),
)

event_inbox = Table(
    "event_inbox",
    events_metadata,
    Column("consumer_group", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer_group", "event_id", name="pk_event_inbox"),
    Index("ix_event_inbox_processed_at", "processed_at"),
)

# A statement-level trigger: one NOTIFY per inserting statement, and Postgres folds identical
# notifications of one transaction into one, delivered at commit.
_CREATE_NOTIFY = [
    f"""CREATE OR REPLACE FUNCTION event_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{NOTIFY_CHANNEL}', '');
    RETURN NULL;
END $$""",
    """CREATE TRIGGER event_outbox_notify AFTER INSERT ON event_outbox
FOR EACH STATEMENT EXECUTE FUNCTION event_outbox_notify()""",
]
_DROP_NOTIFY = [
    "DROP TRIGGER IF EXISTS event_outbox_notify ON event_outbox",
    "DROP FUNCTION IF EXISTS event_outbox_notify()",
]

for _statement in _CREATE_NOTIFY:
    event.listen(event_outbox, "after_create", DDL(_statement))  # type: ignore[no-untyped-call]  # create_all
for _statement in _DROP_NOTIFY:
    event.listen(event_outbox, "before_drop", DDL(_statement))  # type: ignore[no-untyped-call]


def create_event_tables(op: Operations) -> None:
    """Create ``event_outbox`` (with its NOTIFY trigger) and ``event_inbox`` in an Alembic migration."""
    for table in (event_outbox, event_inbox):
        op.execute(CreateTable(table))
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            op.execute(CreateIndex(index))
        # Postgres keeps column comments apart from CREATE TABLE; without them the schema drifts
        # from the metadata and autogenerate proposes comment changes forever.
        for column in table.columns:
            if column.comment:
                op.execute(SetColumnComment(column))
    for statement in _CREATE_NOTIFY:
        op.execute(statement)


def drop_event_tables(op: Operations) -> None:
    for statement in _DROP_NOTIFY:
        op.execute(statement)
    for table in (event_inbox, event_outbox):
        op.execute(DropTable(table))


async def add_event(session: AsyncSession, envelope: Envelope[Any]) -> None:
    """Write the event to the outbox through the caller's session; it is published after the commit.

    Never commits: the row must share the transaction of the state change it describes.
    """
    await add_events(session, [envelope])


async def add_events(
    session: AsyncSession, envelopes: Sequence[Envelope[Any]], *, skip_known_ids: bool = False
) -> None:
    """``add_event`` for several events at once (one statement).

    ``skip_known_ids``: an event whose id is in the outbox already is left out instead of failing the
    statement, for events that carry ids of their own and may be sent twice (a feed's retry).
    """
    if not envelopes:
        return
    # Two transactions writing the same key could commit in the opposite order of their sequence
    # numbers, and the relay would then publish that key's events out of order. Serialising writers
    # per key (until commit) makes sequence order = commit order for every key. Locks are taken in
    # key order so that two multi-key writers cannot deadlock each other.
    keys = sorted({e.partitionkey for e in envelopes})
    key_column = func.unnest(bindparam("keys", keys, type_=ARRAY(Text))).column_valued("k")
    await session.execute(
        select(func.pg_advisory_xact_lock(KEY_LOCK_NAMESPACE, func.hashtext(key_column))).order_by(key_column)
    )
    traceparent, tracestate = current_trace_context()
    statement = pg_insert(event_outbox)
    await session.execute(
        statement.on_conflict_do_nothing(index_elements=[event_outbox.c.id]) if skip_known_ids else statement,
        [
            {
                "id": e.id,
                "topic": e.topic,
                "key": e.partitionkey,
                "type": e.type,
                "source": e.source,
                "subject": e.subject,
                "time": e.time,
                "payload": e.data.model_dump(mode="json"),
                "traceparent": e.traceparent or traceparent,
                "tracestate": e.tracestate or (tracestate if not e.traceparent else None),
            }
            for e in envelopes
        ],
    )


class Publisher:
    """A service's events, written to its outbox under its name (the CloudEvents ``source``).

    Each service makes one, named after itself, and its services write through it::

        publish = Publisher(Settings.service_name)
        await publish(session, TierChanged(...))   # in the transaction of the change it reports

    The envelope is :meth:`Envelope.new`'s: a fresh id, now as its time, type and partition key from the
    payload (sealed fields stay as the payload carries them).
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def within(self, part: str) -> Publisher:
        """The publisher of a part of the service, ``<source>/<part>`` (e.g. notify-svc's feeds)."""
        return Publisher(f"{self.source}/{part}")

    def envelope(self, event: E, *, subject: str | None = None) -> Envelope[E]:
        """The envelope it would write, for a caller that writes it later (with ``add_event``)."""
        return Envelope.new(event, source=self.source, subject=subject)

    async def __call__(self, session: AsyncSession, *events: Event, subject: str | None = None) -> None:
        """Write ``events`` (in order, one statement) through the caller's session; never commits."""
        await add_events(session, [self.envelope(event, subject=subject) for event in events])
