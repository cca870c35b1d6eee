"""Replay a consumer group's dead letters onto the topics they came from (deploy/RUNBOOK.md).

Reads ``<group>.dlq`` from its start up to its end at the time of the run, and for each dead letter whose
reason is ``handler_failed`` (or every reason with ``--include-malformed``) sends the original record again
— same key, value and CloudEvents headers (so the same event id: groups that already applied it skip it
through their inbox) — to ``x-cheyou-original-topic``, without the ``x-cheyou-*`` headers. Without
``--execute`` it only lists what it would send. It prints the end offsets it read up to, as the JSON that
``kafka-delete-records.sh --offset-json-file`` takes to empty the DLQ up to there.

Runs with what a service image has (python, aiokafka, cheyou_events)::

    kubectl -n cheyou exec -i deploy/<svc> -- python - --group <svc> [--execute] < deploy/dlq_replay.py

It connects as the pod's services do (``KAFKA_*``: TLS, SCRAM, the cluster CA), but as its own Kafka user:
in production ``--username dlq-replay --password-file <file>`` (the ``dlq-replay`` KafkaUser may read the
DLQs and write back to the topics dead letters come from; a service's own user may not write to the topics
it consumes). The password is read from a file so it appears in no command line (RUNBOOK.md shows how).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

CONTROL_PREFIX = "x-cheyou-"
ORIGINAL_TOPIC = "x-cheyou-original-topic"
REASON = "x-cheyou-dlq-reason"


def say(line: str) -> None:
    """What the run does, record by record, on stderr (stdout carries the summary as JSON)."""
    sys.stderr.write(line + "\n")


def client_options(username: str | None, password_file: str | None) -> dict[str, Any]:
    """TLS and SASL as the platform's ``KAFKA_*`` settings say, with this tool's own user when given."""
    from cheyou_events.settings import KafkaSettings

    overrides: dict[str, Any] = {}
    if username:
        overrides["sasl_username"] = username
    if password_file:
        with open(password_file) as secret:
            overrides["sasl_password"] = secret.read().strip()
    return KafkaSettings(**overrides).client_options()


async def replay(
    bootstrap: str,
    group: str,
    *,
    execute: bool,
    include_malformed: bool,
    types: set[str],
    security: dict[str, Any] | None = None,
) -> dict[str, object]:
    dlq = f"{group}.dlq"
    security = security or {}
    # earliest: assigning starts a reset of the positions, which must agree with the seeks below
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
        **security,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **security)
    await consumer.start()
    await producer.start()
    sent = skipped = 0
    try:
        tps = [TopicPartition(dlq, p) for p in sorted(await producer.partitions_for(dlq))]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        next_offset = dict(starts)
        for tp in tps:
            consumer.seek(tp, starts[tp])
        async with asyncio.timeout(300):
            while pending := [tp for tp in tps if next_offset[tp] < ends[tp]]:
                batch = await consumer.getmany(*pending, timeout_ms=1000)
                for tp, records in batch.items():
                    for record in records:
                        next_offset[tp] = record.offset + 1
                        if record.offset >= ends[tp]:
                            continue
                        headers = {k: v.decode(errors="replace") for k, v in record.headers}
                        event_type = headers.get("ce_type", "?")
                        wanted = include_malformed or headers.get(REASON) == "handler_failed"
                        if not wanted or (types and event_type not in types) or ORIGINAL_TOPIC not in headers:
                            skipped += 1
                            say(f"skip   {tp.partition}:{record.offset} {event_type} ({headers.get(REASON)})")
                            continue
                        say(f"{'send' if execute else 'would'} {tp.partition}:{record.offset} {event_type} "
                            f"{headers.get('ce_id')} → {headers[ORIGINAL_TOPIC]}")  # fmt: skip
                        if execute:
                            original = [(k, v) for k, v in record.headers if not k.startswith(CONTROL_PREFIX)]
                            await producer.send_and_wait(
                                headers[ORIGINAL_TOPIC], record.value, key=record.key, headers=original
                            )
                        sent += 1
    finally:
        await producer.stop()
        await consumer.stop()
    return {
        "sent" if execute else "would_send": sent,
        "skipped": skipped,
        "delete_records": {
            "partitions": [{"topic": tp.topic, "partition": tp.partition, "offset": ends[tp]} for tp in tps],
            "version": 1,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group", required=True, help="the consumer group (the service's name)")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--execute", action="store_true", help="send (default: only list)")
    parser.add_argument("--include-malformed", action="store_true", help="poison pills too (after a fix)")
    parser.add_argument("--type", action="append", default=[], help="only this event type (repeatable)")
    parser.add_argument("--username", help="the Kafka user to connect as (default: KAFKA_SASL_USERNAME)")
    parser.add_argument("--password-file", help="a file holding that user's password")
    args = parser.parse_args()
    summary = asyncio.run(
        replay(
            args.bootstrap,
            args.group,
            execute=args.execute,
            include_malformed=args.include_malformed,
            types=set(args.type),
            security=client_options(args.username, args.password_file),
        )
    )
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
