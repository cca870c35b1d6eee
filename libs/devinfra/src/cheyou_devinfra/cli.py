"""``python -m cheyou_devinfra up|down|status|env``: the infrastructure alone, in the background."""

from __future__ import annotations

import logging
import shlex
import time
from pathlib import Path
from typing import Annotated

import typer

from cheyou_devinfra._process import InfraError
from cheyou_devinfra.manager import InfraManager

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

StateDir = Annotated[
    Path,
    typer.Option("--state-dir", envvar="CHEYOU_INFRA_STATE_DIR", help="where data, logs and pid files live"),
]


@app.command()
def up(
    state_dir: StateDir = Path(".dev/infra"),
    broker: Annotated[str, typer.Option(envvar="CHEYOU_BROKER", help="auto | apache-kafka | tansu")] = "auto",
    postgres_port: Annotated[int, typer.Option(envvar="CHEYOU_POSTGRES_PORT")] = 5432,
    redis_port: Annotated[int, typer.Option(envvar="CHEYOU_REDIS_PORT")] = 6379,
    kafka_port: Annotated[int, typer.Option(envvar="CHEYOU_KAFKA_PORT")] = 9092,
) -> None:
    """Start (or reuse) the infrastructure in the background; return once everything answers."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    manager = InfraManager(
        state_dir,
        broker=broker,
        postgres_port=postgres_port,
        redis_port=redis_port,
        kafka_port=kafka_port,
        detach=True,
    )
    try:
        infra = manager.start()
    except InfraError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"ready in {time.monotonic() - started:.1f}s · broker: {infra.broker}")
    for key, value in infra.env().items():
        typer.echo(f"  {key}={value}")
    typer.echo(f"stop with: python -m cheyou_devinfra down --state-dir {state_dir}")


@app.command()
def down(state_dir: StateDir = Path(".dev/infra")) -> None:
    """Stop every process recorded in the state dir."""
    InfraManager(state_dir, use_env=False, use_containers=False).down()
    typer.echo("stopped")


@app.command()
def status(state_dir: StateDir = Path(".dev/infra")) -> None:
    """Each recorded process: pid, URL, healthy or not."""
    rows = InfraManager(state_dir, use_env=False, use_containers=False).status()
    if not rows:
        typer.echo(f"nothing recorded in {state_dir}")
    for row in rows:
        state = "healthy" if row["healthy"] else "UNHEALTHY" if row["alive"] else "stopped"
        typer.echo(f"{row['name']:<9}{row['kind']:<18}{state:<10}pid {row['pid'] or '-':<8}{row['url']}")


@app.command()
def env(state_dir: StateDir = Path(".dev/infra")) -> None:
    """Print ``export VAR=…`` lines for the running infrastructure (``eval "$(… env)"``)."""
    infra = InfraManager(state_dir, use_env=False, use_containers=False).recorded_infra()
    if infra is None:
        typer.echo(f"infrastructure in {state_dir} is not running; run `up` first", err=True)
        raise typer.Exit(1)
    for key, value in infra.env().items():
        typer.echo(f"export {key}={shlex.quote(value)}")
