"""``python -m cheyou_events``: export the schemas, replay outbox rows, create the platform's topics."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cheyou_events.relay import replay as replay_rows
from cheyou_events.schemas import SCHEMA_DIR, BreakingChange, export_schemas, orphan_schemas
from cheyou_events.topics import TOPICS, ensure_topics

app = typer.Typer(no_args_is_help=True, help=__doc__)
console = Console()


@app.command("export-schemas")
def export_schemas_command(
    directory: Annotated[Path, typer.Option("--dir", help="where the schemas live")] = SCHEMA_DIR,
) -> None:
    """Write libs/events/schemas/<type>.json for every event; refuses a breaking change."""
    try:
        written = export_schemas(directory)
    except BreakingChange as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    for path in written:
        console.print(f"wrote {path}")
    for orphan in orphan_schemas(directory):
        console.print(f"[yellow]{orphan}: schema without a model (a deleted event type breaks its consumers)")
    console.print(f"{len(written)} schema(s) changed")


@app.command()
def replay(
    dsn: Annotated[str, typer.Option(help="the service database, postgresql://…")],
    since: Annotated[datetime, typer.Option(help="rows created at or after (ISO 8601, with offset)")],
    until: Annotated[datetime, typer.Option(help="rows created before (ISO 8601, with offset)")],
    event_type: Annotated[list[str] | None, typer.Option("--type", help="only these types")] = None,
    key: Annotated[str | None, typer.Option(help="only this partition key (member id)")] = None,
) -> None:
    """Republish outbox rows (same event ids, so consumers dedupe); the running relay sends them."""
    if since.tzinfo is None or until.tzinfo is None:
        raise typer.BadParameter("--since and --until need a UTC offset, e.g. 2026-11-25T08:00:00+08:00")
    count = asyncio.run(replay_rows(dsn, since=since, until=until, types=event_type or None, key=key))
    console.print(f"{count} event(s) queued for replay")


@app.command("create-topics")
def create_topics(
    bootstrap: Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP_SERVERS")],
    replication_factor: Annotated[int, typer.Option()] = 1,
) -> None:
    """Create the platform topics with their partition counts (for dev; production uses KafkaTopic CRs)."""
    asyncio.run(ensure_topics(bootstrap, TOPICS, replication_factor=replication_factor))
    console.print(f"topics ready: {', '.join(TOPICS)}")
