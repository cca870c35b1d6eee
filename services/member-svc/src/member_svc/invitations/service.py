"""Invitation lists: each row validated on its own, known people skipped, so a re-run adds nothing.

A new invitee whose row records a consent basis gets an invitation: a personal token (only its SHA-256
kept here) and a ``member.invited`` event, from which notify-svc sends the SMS (and WeChat message) and
its reminders. Used by ``POST /api/v1/members/imports`` and by the ops CLI (``python -m
member_svc.invitations``)."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from cheyou_events import sealing
from cheyou_events.catalogue.member import MemberInvited
from cheyou_kit.errors import NotFound
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc import china_time
from member_svc.errors import InvalidField, PhoneTaken
from member_svc.eventing import publish
from member_svc.invitations import repository
from member_svc.invitations.models import Invitation, InvitationImport
from member_svc.invitations.schemas import (
    COLUMNS,
    InvitationManager,
    InvitationRow,
    InvitationView,
    RowResult,
)
from member_svc.managers import service as managers_service
from member_svc.managers.models import ManagerProfile
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
    *,
    registration_url: str,
) -> InvitationImport:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidField("file", "the CSV must be UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "id_number", "phone") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidField("file", f"missing columns: {', '.join(missing)} (expected {', '.join(COLUMNS)})")
    import_id = uuid.uuid4()
    results: list[RowResult] = []
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        if number - 1 > MAX_ROWS:
            raise InvalidField("file", f"at most {MAX_ROWS} rows per import")
        results.append(await _row(session, pii, number, raw, now, import_id, registration_url))
        if progress is not None:
            progress(number - 1)
    record = InvitationImport(
        id=import_id,
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
    session: AsyncSession,
    pii: PiiCipher,
    number: int,
    raw: dict[str, str | None],
    now: datetime,
    import_id: uuid.UUID,
    registration_url: str,
) -> RowResult:
    values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in raw.items() if k in COLUMNS}
    try:
        row = InvitationRow.model_validate(values)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return RowResult(row=number, status="invalid", errors=errors)
    unit, manager = None, None
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
    if row.consent_basis is None:
        return RowResult(row=number, status="created", member_id=member.id)
    await _invite(session, member.id, row, manager, import_id, registration_url, now)
    return RowResult(row=number, status="created", member_id=member.id, contacted=True)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join_url(registration_url: str, manager: ManagerProfile | None) -> str:
    """The join page, with the manager's invite code when a manager invites (the page prefills it)."""
    if manager is None:
        return registration_url
    return f"{registration_url}?{urlencode({'manager_code': manager.invite_code})}"


async def _invite(
    session: AsyncSession,
    member_id: uuid.UUID,
    row: InvitationRow,
    manager: ManagerProfile | None,
    import_id: uuid.UUID,
    registration_url: str,
    now: datetime,
) -> None:
    """Record the invitation and announce it; the token exists in clear only sealed in the event."""
    assert row.consent_basis is not None
    token = secrets.token_urlsafe(18)
    await repository.add_invitation(
        session,
        Invitation(
            member_id=member_id,
            import_id=import_id,
            manager_id=manager.staff_id if manager else None,
            consent_basis=row.consent_basis,
            consent_ref=row.consent_ref,
            token_sha256=token_digest(token),
            invited_at=now,
        ),
    )
    key = str(member_id)
    invited = MemberInvited(
        member_id=key,
        invitation_list_id=str(import_id),
        manager_id=manager.staff_id if manager else None,
        manager_name=manager.display_name if manager else None,
        manager_code=manager.invite_code if manager else None,
        consent_basis=row.consent_basis,
        phone_sealed=sealing.seal(row.phone, partition_key=key, field="phone"),
        openid=row.openid,
        token_sealed=sealing.seal(token, partition_key=key, field="token"),
        join_url=join_url(registration_url, manager),
        invited_at=now,
    )
    await publish(session, invited)


async def open_invitation(session: AsyncSession, token: str, now: datetime) -> InvitationView:
    """What the personal link shows (the first opening is recorded); 404 for a token nobody was given."""
    found = await repository.invitation_by_token(session, token_digest(token))
    if found is None:
        raise NotFound("this invitation link is not known")
    invitation, member = found
    if invitation.opened_at is None:
        invitation.opened_at = now
    manager = await managers_service.find(session, invitation.manager_id) if invitation.manager_id else None
    if invitation.opted_out_at is not None:
        status = "opted_out"
    elif member.status != "invited":
        status = "taken_up"
    else:
        status = "open"
    return InvitationView(
        manager=InvitationManager.model_validate(manager, from_attributes=True) if manager else None,
        manager_code=manager.invite_code if manager else None,
        name_masked=member.name_masked,
        status=status,
    )


async def record_opt_out(session: AsyncSession, member_id: uuid.UUID, via: str, at: datetime) -> None:
    """The invitee opted out (notify-svc told us); the first opt-out is kept."""
    await repository.opt_out(session, member_id, via, at)


def report_csv(record: InvitationImport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "status", "member_id", "errors"])
    for r in record.report:
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in r.get("errors", []))
        writer.writerow([r["row"], r["status"], r.get("member_id") or "", errors])
    return out.getvalue()


async def conversion(
    session: AsyncSession, by: str, since: date, until: date
) -> list[repository.ConversionRow]:
    """Per list or per manager: invited, opened, applied, verified, opted out (sent on those days)."""
    return await repository.conversion(
        session, by, china_time.start_of(since), china_time.start_of(until + timedelta(days=1))
    )


async def imports_by_id(session: AsyncSession, ids: list[str]) -> dict[str, InvitationImport]:
    """The import runs by id (unknown or malformed ids left out)."""
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return await repository.imports_by_id(session, valid)
