"""``python -m gateway.seed``: create the demo staff that are missing (idempotent).

Passwords come from the settings (``GATEWAY_DEMO_STAFF_PASSWORD``, ``GATEWAY_DEMO_ADMIN_PASSWORD``);
accounts that exist keep theirs. The gateway does the same at start-up when ``GATEWAY_SEED_DEMO_STAFF``
is true.
"""

from __future__ import annotations

import asyncio

import typer
from cheyou_kit.db import create_engine, create_session_factory

from gateway.config import Settings
from gateway.staff import service as staff


async def seed(settings: Settings) -> list[str]:
    engine = create_engine(settings.sqlalchemy_url, pool_size=1)
    try:
        # A command of its own, like a migration: it owns its transaction.
        async with create_session_factory(engine)() as session, session.begin():
            return await staff.seed_demo(
                session,
                settings.demo_staff_password.get_secret_value(),
                settings.demo_admin_password.get_secret_value(),
            )
    finally:
        await engine.dispose()


def main() -> None:
    created = asyncio.run(seed(Settings()))
    typer.echo(f"demo staff created: {', '.join(created)}" if created else "demo staff already present")


if __name__ == "__main__":
    main()
