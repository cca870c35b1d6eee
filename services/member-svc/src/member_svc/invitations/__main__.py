"""``python -m member_svc.invitations FILE.csv``: import an invitation list from a shell, with a progress bar
and a per-row report file; the same service code as ``POST /api/v1/members/imports``, so a re-run
creates no duplicates. Settings as the service's (``MEMBER_DATABASE_URL``, PII keys)."""

from __future__ import annotations

import asyncio
import csv
import getpass
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from cheyou_kit.db import create_engine, create_session_factory
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from member_svc.config import Settings
from member_svc.errors import InvalidField
from member_svc.invitations import service
from member_svc.invitations.models import InvitationImport
from member_svc.pii import PiiCipher


def _rows_in(content: bytes) -> int | None:
    """Data rows for the bar's total (None when the file is not UTF-8: the import says why)."""
    try:
        return max(sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1, 0)
    except UnicodeDecodeError:
        return None


async def _import(settings: Settings, content: bytes, name: str, by: str) -> InvitationImport:
    engine = create_engine(settings.sqlalchemy_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            ) as progress:
                task = progress.add_task(name, total=_rows_in(content))
                return await service.import_csv(
                    session,
                    PiiCipher.from_settings(settings),
                    content,
                    name,
                    by,
                    datetime.now(UTC),
                    progress=lambda done: progress.update(task, completed=done),
                    registration_url=settings.registration_url,
                )
    finally:
        await engine.dispose()


def main(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="UTF-8 CSV.")],
    report: Annotated[
        Path | None, typer.Option(help="Where the per-row report goes (default: FILE.report.csv).")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Recorded as the importer (default: cli:<user>).")] = None,
) -> None:
    """Import an invitation list (header: name,id_number,phone,region_code,plate,vin,manager_id,
    consent_basis,consent_ref,openid; rows with a consent basis are invited by SMS/WeChat)."""
    try:
        record = asyncio.run(
            _import(Settings(), file.read_bytes(), file.name, by or f"cli:{getpass.getuser()}")
        )
    except InvalidField as exc:
        typer.echo(f"{file}: not imported: {exc}", err=True)
        raise typer.Exit(1) from None
    report = report or file.with_name(f"{file.stem}.report.csv")
    report.write_text(service.report_csv(record), encoding="utf-8")
    typer.echo(
        f"{record.rows} rows: {record.created} created, {record.existing} already known, "
        f"{record.invalid} invalid; {sum(r.get('contacted', False) for r in record.report)} invited; "
        f"report {report}; import {record.id}"
    )


if __name__ == "__main__":
    typer.run(main)
