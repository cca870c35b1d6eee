"""``python -m cheyou_demo.policy_feed``: the simulated core policy feed to Kafka or over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from typing import Annotated, Any

import httpx
import typer
from aiokafka import AIOKafkaProducer
from cheyou_events import Envelope, to_record
from rich.progress import Progress

from cheyou_demo.core_system import hash_key, holder_hasher
from cheyou_demo.policy_feed import customers, events

app = typer.Typer(help="The core policy system's feed, simulated.", no_args_is_help=True)

Customers = Annotated[int, typer.Option(help="How many customers (each holds 2–3 policies).")]
Seed = Annotated[int, typer.Option(help="The same seed gives the same customers and events.")]


HashKey = Annotated[
    str | None, typer.Option(help="member-svc's MEMBER_PII_HASH_KEY (default: env, then .dev).")
]


@app.command()
def kafka(
    customers_count: Customers = 1000,
    seed: Seed = 2014,
    bootstrap: Annotated[str | None, typer.Option(help="Default: KAFKA_BOOTSTRAP_SERVERS.")] = None,
    key: HashKey = None,
) -> None:
    """Produce the events to ``core.policy.events`` (keyed by customer number)."""

    async def run() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            acks="all",
        )
        await producer.start()
        try:
            with Progress() as progress:
                task = progress.add_task("customers", total=customers_count)
                last = None
                for envelope in events(customers_count, holder_hasher(hash_key(key)), seed):
                    record = to_record(envelope)
                    await producer.send(record.topic, record.value, key=record.key, headers=record.headers)
                    if envelope.partitionkey != last:
                        progress.advance(task)
                        last = envelope.partitionkey
                await producer.flush()
        finally:
            await producer.stop()

    asyncio.run(run())


@app.command()
def http(
    url: Annotated[
        str, typer.Option(help="The ingestion endpoint, e.g. http://127.0.0.1:8080/api/v1/policy-feed.")
    ],
    customers_count: Customers = 1000,
    seed: Seed = 2014,
    header: Annotated[list[str], typer.Option(help="Extra request header 'Name: value' (auth).")] = [],  # noqa: B006
    batch: Annotated[int, typer.Option(help="Events per request.")] = 200,
    key: HashKey = None,
) -> None:
    """POST the events to the ingestion endpoint in batches."""
    headers = dict(h.split(": ", 1) for h in header)
    stream = events(customers_count, holder_hasher(hash_key(key)), seed)
    with httpx.Client(headers=headers, timeout=30) as client, Progress() as progress:
        task = progress.add_task("events", total=None)
        while chunk := list(itertools.islice(stream, batch)):
            response = client.post(url, json={"events": [_feed_item(e) for e in chunk]})
            response.raise_for_status()
            progress.advance(task, len(chunk))


@app.command()
def people(customers_count: Customers = 10, seed: Seed = 2014) -> None:
    """Print simulated customers as JSON lines (registration data for demos and the CSV import)."""
    for customer in customers(customers_count, seed):
        typer.echo(
            json.dumps(
                {
                    "name": customer.name,
                    "id_number": customer.id_number,
                    "phone": customer.phone,
                    "region_code": customer.region_code,
                    "plate": customer.plate,
                    "vin": customer.vin,
                },
                ensure_ascii=False,
            )
        )


def _feed_item(envelope: Envelope[Any]) -> dict[str, Any]:
    return {
        "type": envelope.type,
        "id": str(envelope.id),
        "source": envelope.source,
        "time": envelope.time.isoformat(),
        "data": envelope.data.model_dump(mode="json"),
    }


if __name__ == "__main__":
    app()
