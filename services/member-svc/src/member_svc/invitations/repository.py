from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.invitations.models import Invitation, InvitationImport
from member_svc.members.models import Member


async def add(session: AsyncSession, record: InvitationImport) -> None:
    session.add(record)
    await session.flush()


async def add_invitation(session: AsyncSession, invitation: Invitation) -> None:
    session.add(invitation)
    await session.flush()


async def invitation_by_token(session: AsyncSession, token_sha256: str) -> tuple[Invitation, Member] | None:
    statement = (
        select(Invitation, Member)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.token_sha256 == token_sha256)
        .with_for_update(of=Invitation)
    )
    row = (await session.execute(statement)).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def opt_out(session: AsyncSession, member_id: uuid.UUID, via: str, at: datetime) -> None:
    await session.execute(
        update(Invitation)
        .where(Invitation.member_id == member_id, Invitation.opted_out_at.is_(None))
        .values(opted_out_at=at, opted_out_via=via)
    )


ConversionRow = tuple[str | None, int, int, int, int, int]


async def conversion(session: AsyncSession, by: str, since: datetime, until: datetime) -> list[ConversionRow]:
    """(list id or manager id, invited, opened, applied, verified, opted out) of the invitations sent in
    [since, until), per list (``by="list"``) or per inviting manager (``by="manager"``)."""
    key = Invitation.import_id if by == "list" else Invitation.manager_id
    statement = (
        select(
            key,
            func.count(),
            func.count(Invitation.opened_at),
            func.count().filter(Member.status != "invited"),
            func.count().filter(Member.status == "verified"),
            func.count(Invitation.opted_out_at),
        )
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.invited_at >= since, Invitation.invited_at < until)
        .group_by(key)
        .order_by(key)
    )
    return [
        (str(k) if k is not None else None, int(n), int(o), int(a), int(v), int(x))
        for k, n, o, a, v, x in (await session.execute(statement)).all()
    ]


async def imports_by_id(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, InvitationImport]:
    found = await session.scalars(select(InvitationImport).where(InvitationImport.id.in_(ids)))
    return {str(record.id): record for record in found}
