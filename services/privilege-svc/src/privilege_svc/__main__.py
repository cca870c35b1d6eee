"""``python -m privilege_svc seed-demo-2014``: the case study's 2014 usage as data in this service's DB."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from privilege_svc.config import Settings
from privilege_svc.usage.demo import seed_2014

app = typer.Typer(help=__doc__, no_args_is_help=True)


@app.command("seed-demo-2014")
def seed_demo_2014() -> None:
    """Write the March–December 2014 orders and redemptions behind the seed's usage table."""

    async def run() -> None:
        engine = create_async_engine(Settings().sqlalchemy_url)
        async with async_sessionmaker(engine)() as session, session.begin():
            await seed_2014(session)
        await engine.dispose()

    asyncio.run(run())
    Console().print("seeded: GET /api/v1/privileges/usage?from=2014-03-01T00:00:00Z&to=2015-01-01T00:00:00Z")


@app.callback()
def main() -> None:
    """privilege-svc's commands."""


if __name__ == "__main__":
    app()
