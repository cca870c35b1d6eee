"""Invitation lists: each row validated on its own, known people skipped, so a re-run adds nothing.

Used by ``POST /api/v1/members/imports`` and by the ops CLI (``python -m member_svc.imports``)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.errors import InvalidField, PhoneTaken
from member_svc.imports import repository
from member_svc.imports.models import InvitationImport
from member_svc.imports.schemas import COLUMNS, InvitationRow, RowResult
from member_svc.managers import service as managers_service
from member_svc.members import service as members_service
from member_svc.members.schemas import VehicleIn
from member_svc.pii import PiiCipher

MAX_ROWS = 50_000


async def import_csv(
    session: AsyncSession,
    pii: PiiCipher,
    content: bytes,
    filename: str,
    by: str,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> InvitationImport:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidField("file", "the CSV must be UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "id_number", "phone") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidField("file", f"missing columns: {', '.join(missing)} (expected {', '.join(COLUMNS)})")
    results: list[RowResult] = []
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        if number - 1 > MAX_ROWS:
            raise InvalidField("file", f"at most {MAX_ROWS} rows per import")
        results.append(await _row(session, pii, number, raw, now))
        if progress is not None:
            progress(number - 1)
    record = InvitationImport(
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        imported_by=by,
        rows=len(results),
        created=sum(r.status == "created" for r in results),
        existing=sum(r.status == "exists" for r in results),
        invalid=sum(r.status == "invalid" for r in results),
        report=[r.model_dump(mode="json") for r in results],
        imported_at=now,
    )
    await repository.add(session, record)
    return record


async def _row(
    session: AsyncSession, pii: PiiCipher, number: int, raw: dict[str, str | None], now: datetime
) -> RowResult:
    values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in raw.items() if k in COLUMNS}
    try:
        row = InvitationRow.model_validate(values)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return RowResult(row=number, status="invalid", errors=errors)
    unit = None
    if row.manager_id is not None:
        manager = await managers_service.find(session, row.manager_id)
        if manager is None:
            return RowResult(
                row=number, status="invalid", errors=[{"field": "manager_id", "message": "unknown manager"}]
            )
        unit = manager.unit_code
    vehicles = [VehicleIn(plate=row.plate, vin=row.vin)] if row.plate else []
    try:
        member = await members_service.create_invited(
            session,
            pii,
            name=row.name,
            id_number=row.id_number,
            phone=row.phone,
            region_code=row.region_code,
            vehicles=vehicles,
            manager_id=row.manager_id,
            join_unit=unit,
            now=now,
        )
    except PhoneTaken:
        return RowResult(
            row=number,
            status="invalid",
            errors=[{"field": "phone", "message": "another member uses this phone number"}],
        )
    if member is None:
        return RowResult(row=number, status="exists")
    return RowResult(row=number, status="created", member_id=member.id)


def report_csv(record: InvitationImport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "status", "member_id", "errors"])
    for r in record.report:
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in r.get("errors", []))
        writer.writerow([r["row"], r["status"], r.get("member_id") or "", errors])
    return out.getvalue()
