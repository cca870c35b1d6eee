"""The migration linter of ``make lint``: squawk over the SQL each Alembic revision really runs.

Our migrations are Alembic operations in Python, not SQL files, and some compute what they run (data
fixes reading rows first). So the SQL is taken from the source of truth: every service's chain is run,
one revision at a time, against a scratch Postgres (``POSTGRES_DSN`` when set, else an embedded server
started for the run), every statement a revision executes is captured, and squawk (``squawk-cli``, a
binary inside its wheel) lints each revision's statements as one file. A revision that creates a table
may index and constrain it in the same file (squawk knows the table is new); a revision that touches a
table an earlier revision created gets the full rules: no ``CREATE INDEX`` without ``CONCURRENTLY``, no
``NOT NULL`` column without a default, no column type change, no constraint without ``NOT VALID``, no
renames, no drops. A statement a revision runs in an ``autocommit_block()`` (outside any transaction, as
``CREATE INDEX CONCURRENTLY`` must) is linted as a file of its own without the assumed transaction, the
way it really ran.

``GRANDFATHERED`` names the revisions written before this linter, each with the rules it breaks; they
stay as they are because they ran before the first release, on tables without rows, and rewriting a
migration that databases already ran changes nothing in them. A new revision is never added to it:
write the migration the safe way (docs/ARCHITECTURE.md, "Migrations").

    python -m tools.lint_migrations            # every service
    python -m tools.lint_migrations member-svc # one
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("gateway", "member-svc", "privilege-svc", "merchant-svc", "claims-svc", "notify-svc")
CONFIG = ROOT / ".squawk.toml"

_BEFORE_THE_LINTER = (
    "written before the migration linter and run before the first release, on tables with no rows; "
    "rewriting a migration that databases already ran changes nothing in them"
)
GRANDFATHERED: dict[str, str] = {
    # revision → the squawk rules it breaks; each was _BEFORE_THE_LINTER
    "claims-svc:0002_claims_and_surveys.py": (
        "prefer-identity (a serial claim number), require-concurrent-index-creation"
    ),
    "claims-svc:0007_claim_figures.py": "require-concurrent-index-creation (two indexes on claims)",
    "member-svc:0002_members_and_the_rest.py": "prefer-identity, require-concurrent-index-creation (3)",
    "member-svc:0004_vehicles_referrals_downgrade_notices.py": (
        "constraint-missing-not-valid, disallowed-unique-constraint, require-concurrent-index- creation"
    ),
    "merchant-svc:0002_merchants_dispatch_webhooks.py": "prefer-identity, require-concurrent-index-creation",
    "merchant-svc:0003_users_deadlines_mall.py": (
        "ban-drop-column (2), adding-foreign-key-constraint, constraint-missing-not-valid, prefer- "
        "identity, require-concurrent-index-creation (2)"
    ),
    "merchant-svc:0004_merchant_user_phone_hash.py": (
        "constraint-missing-not-valid, disallowed-unique-constraint"
    ),
    "merchant-svc:0005_webhook_secrets_sealed.py": "changing-column-type",
    "notify-svc:0002_channels_inbox_templates.py": "prefer-identity, require-concurrent-index-creation",
    "notify-svc:0004_reminders_publishing.py": "prefer-identity (2), require-concurrent-index-creation (2)",
    "notify-svc:0006_waiting_for_contact.py": "changing-column-type, require-concurrent-index-creation",
    "privilege-svc:0010_tier_known_from_verification.py": "ban-drop-not-null",
}


def _squawk() -> str:
    found = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if not Path(found).exists():
        raise SystemExit("squawk not found: `make install` installs squawk-cli")
    return found


Captured = tuple[Path, list[str], list[str]]
"""A revision's file, the statements it ran in its transaction, those it ran in autocommit blocks."""


def _capture_revisions(service: str, url: str) -> list[Captured]:
    """Run the service's chain revision by revision on ``url``, as the kit's runner does (a transaction
    per revision, autocommit blocks honoured); each revision's file and statements."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from cheyou_kit.migrations import alembic_config
    from sqlalchemy import event, pool
    from sqlalchemy.ext.asyncio import create_async_engine

    root = ROOT / "services" / service
    config = alembic_config(root)
    script = ScriptDirectory.from_config(config)
    revisions = list(reversed(list(script.walk_revisions())))
    captured: list[Captured] = []

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            for revision in revisions:
                statements: list[tuple[str, bool]] = []

                def step(
                    connection: Any,
                    target: str = revision.revision,
                    into: list[tuple[str, bool]] = statements,
                ) -> None:
                    def capture(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
                        level = conn.get_execution_options().get("isolation_level")
                        into.append((statement, level == "AUTOCOMMIT"))

                    event.listen(connection, "before_cursor_execute", capture)
                    config.attributes["connection"] = connection
                    try:
                        command.upgrade(config, target)
                    finally:
                        event.remove(connection, "before_cursor_execute", capture)

                async with engine.connect() as connection:  # as cheyou_kit.migrations runs them
                    await connection.run_sync(step)
                    await connection.commit()
                assert revision.path is not None
                own = [(s, alone) for s, alone in statements if _is_migration_sql(s)]
                captured.append(
                    (
                        Path(revision.path),
                        [s for s, alone in own if not alone],
                        [s for s, alone in own if alone],
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(run())
    return captured


def _is_migration_sql(statement: str) -> bool:
    """The revision's own statements: not Alembic's bookkeeping, the timeouts or the catalogue reads."""
    text = " ".join(statement.split()).lower()
    return not (
        "alembic_version" in text
        or text.startswith("select set_config(")
        or text.startswith("select pg_catalog.")
        or text.startswith("select current_schema")
        or text.startswith("select version()")
        or text.startswith("show ")
    )


def _lint(files: list[Path], workdir: Path, *, in_transaction: bool = True) -> int:
    """Squawk over the captured files; prints its report; non-zero when a file has problems."""
    if not files:
        return 0
    assumed = [] if in_transaction else ["--no-assume-in-transaction"]
    result = subprocess.run(
        [_squawk(), "--config", str(CONFIG), *assumed, "--reporter", "gcc", *map(str, files)],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    report = (result.stdout + result.stderr).strip()
    if report:
        sys.stdout.write(report + "\n")
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    services = (argv if argv is not None else sys.argv[1:]) or list(SERVICES)
    workdir = Path(tempfile.mkdtemp(prefix="cheyou-squawk-"))
    server = None
    try:
        dsn = os.environ.get("POSTGRES_DSN")
        if not dsn:
            from cheyou_devinfra.components import Postgres
            from cheyou_devinfra.pytest_plugin import temporary_state_dir

            server = Postgres(temporary_state_dir("squawk-postgres"))
            server.start()
            dsn = server.url
        from cheyou_devinfra.provisioning import ensure_database
        from sqlalchemy.engine import make_url

        files: list[Path] = []
        alone: list[Path] = []  # one autocommit statement each, run outside any transaction
        for service in services:
            database = asyncio.run(
                ensure_database(dsn, f"lint_{service.replace('-', '_')}_{uuid.uuid4().hex[:6]}")
            )
            url = (
                make_url(database).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
            )
            for migration, statements, autocommit in _capture_revisions(service, url):
                relative = migration.relative_to(ROOT).as_posix()
                if f"{service}:{migration.name}" in GRANDFATHERED:
                    continue
                sql = workdir / relative.replace(".py", ".sql")
                sql.parent.mkdir(parents=True, exist_ok=True)
                sql.write_text("".join(f"{s.strip().rstrip(';')};\n\n" for s in statements))
                files.append(sql.relative_to(workdir))
                for number, statement in enumerate(autocommit, start=1):
                    single = sql.with_suffix(f".autocommit-{number}.sql")
                    single.write_text(f"{statement.strip().rstrip(';')};\n")
                    alone.append(single.relative_to(workdir))
        sys.stdout.write(
            f"squawk: {len(files)} migrations of {', '.join(services)} ({len(GRANDFATHERED)} grandfathered), "
            f"{len(alone)} statements outside a transaction\n"
        )
        failed = _lint(files, workdir)
        failed_alone = _lint(alone, workdir, in_transaction=False)
        return 1 if failed or failed_alone else 0
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.dir, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
