"""Interest groups: ops create a group for an interest and upload its WeChat group QR, which WeChat lets
live seven days, so ops replace it (each upload a new version, the old one gone); members whose
interests (as member-svc announced them) include one of the group's see it, open the QR to join, and each
member's first join is counted."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.interest_groups import repository
from privilege_svc.interest_groups.errors import (
    GroupArchived,
    GroupNotFound,
    InvalidExpiry,
    InvalidQr,
    QrExpired,
    QrMissing,
)
from privilege_svc.interest_groups.models import InterestGroup, InterestGroupJoin
from privilege_svc.interest_groups.schemas import (
    InterestGroupCreate,
    InterestGroupJoinRead,
    InterestGroupRead,
)
from privilege_svc.member_projection import service as members

QR_MAX_BYTES = 512 * 1024
QR_LIFETIME = timedelta(days=7)
"""How long WeChat keeps a group's QR code valid."""
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def qr_available(group: InterestGroup, now: datetime) -> bool:
    return group.qr_expires_at is not None and group.qr_expires_at > now and group.qr_version > 0


def read(
    group: InterestGroup, now: datetime, *, joins: int | None = None, joined: bool | None = None
) -> InterestGroupRead:
    return InterestGroupRead(
        id=group.id,
        name=group.name,
        description=group.description,
        interests=list(group.interests),
        status=group.status,
        qr_version=group.qr_version,
        qr_expires_at=group.qr_expires_at,
        qr_available=qr_available(group, now),
        qr_updated_at=group.qr_updated_at,
        created_at=group.created_at,
        joins=joins,
        joined=joined,
    )


async def create(
    session: AsyncSession, body: InterestGroupCreate, *, created_by: str, now: datetime
) -> InterestGroupRead:
    group = InterestGroup(
        id=uuid.uuid4(),
        name=body.name,
        description=body.description,
        interests=list(dict.fromkeys(body.interests)),
        status="active",
        qr_version=0,
        created_by=created_by,
        created_at=now,
    )
    await repository.add(session, group)
    return read(group, now, joins=0)


async def _group(session: AsyncSession, group_id: uuid.UUID, **options: bool) -> InterestGroup:
    group = await repository.get(session, group_id, **options)
    if group is None:
        raise GroupNotFound(f"interest group {group_id} does not exist")
    return group


async def _for_member(session: AsyncSession, group: InterestGroup, member_id: str) -> None:
    """A member sees an active group that shares one of their interests; any other is "not found"."""
    interests = set(await members.interests_of(session, member_id))
    if group.status != "active" or not interests & set(group.interests):
        raise GroupNotFound(f"interest group {group.id} does not exist")


async def get(
    session: AsyncSession, group_id: uuid.UUID, member_id: str | None, now: datetime
) -> InterestGroupRead:
    group = await _group(session, group_id)
    if member_id is None:
        return read(group, now, joins=(await repository.join_counts(session, [group.id])).get(group.id, 0))
    await _for_member(session, group, member_id)
    return read(group, now, joined=group.id in await repository.joined(session, [group.id], member_id))


async def page(
    session: AsyncSession, member_id: str | None, cursor: str | None, limit: int, now: datetime
) -> tuple[list[InterestGroupRead], str | None]:
    """Staff: every group with its joins. A member: the active groups sharing one of their interests."""
    interests = None if member_id is None else await members.interests_of(session, member_id)
    rows: Slice[InterestGroup] = await repository.page(
        session, interests=interests, cursor=cursor, limit=limit
    )
    ids = [group.id for group in rows.rows]
    if member_id is None:
        counts = await repository.join_counts(session, ids)
        return [read(g, now, joins=counts.get(g.id, 0)) for g in rows.rows], rows.next_cursor
    done = await repository.joined(session, ids, member_id)
    return [read(g, now, joined=g.id in done) for g in rows.rows], rows.next_cursor


def sniff(data: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


async def replace_qr(
    session: AsyncSession,
    group_id: uuid.UUID,
    data: bytes,
    expires_at: datetime | None,
    *,
    actor: str,
    now: datetime,
) -> InterestGroupRead:
    """A new group QR (PNG or JPEG, ≤ 512 KiB) replaces the old one; it expires when WeChat says (at most
    seven days from now; seven days when not given)."""
    kind = sniff(data)
    if kind is None or len(data) > QR_MAX_BYTES:
        raise InvalidQr(f"file: a PNG or JPEG of at most {QR_MAX_BYTES} bytes", field="file")
    expires_at = expires_at or now + QR_LIFETIME
    if not now < expires_at <= now + QR_LIFETIME:
        raise InvalidExpiry("expires_at: after now and at most seven days from now", field="expires_at")
    group = await _group(session, group_id, for_update=True)
    if group.status != "active":
        raise GroupArchived(f"interest group {group_id} is archived")
    group.qr_image, group.qr_content_type, group.qr_expires_at = data, kind, expires_at
    group.qr_version += 1
    group.qr_updated_at, group.qr_updated_by = now, actor
    await session.flush()
    return read(group, now, joins=(await repository.join_counts(session, [group.id])).get(group.id, 0))


async def archive(session: AsyncSession, group_id: uuid.UUID, now: datetime) -> InterestGroupRead:
    group = await _group(session, group_id, for_update=True)
    group.status = "archived"
    await session.flush()
    return read(group, now, joins=(await repository.join_counts(session, [group.id])).get(group.id, 0))


async def qr(
    session: AsyncSession, group_id: uuid.UUID, member_id: str | None, now: datetime
) -> tuple[bytes, str]:
    """The group's QR image: staff any time it exists, a member of the group's interests while valid."""
    group = await _group(session, group_id, with_image=True)
    if member_id is not None:
        await _for_member(session, group, member_id)
    if group.qr_image is None or group.qr_content_type is None:
        raise QrMissing("这个兴趣群还没有上传群二维码")
    if member_id is not None and not qr_available(group, now):
        raise QrExpired("群二维码已过期，请等管理员更新后再来", expired_at=group.qr_expires_at)
    return group.qr_image, group.qr_content_type


async def join(
    session: AsyncSession, group_id: uuid.UUID, member_id: str, now: datetime
) -> InterestGroupJoinRead:
    """The member opens the QR to join: counted once (the first join is kept)."""
    group = await _group(session, group_id)
    await _for_member(session, group, member_id)
    if group.qr_version == 0:
        raise QrMissing("这个兴趣群还没有上传群二维码")
    if not qr_available(group, now):
        raise QrExpired("群二维码已过期，请等管理员更新后再来", expired_at=group.qr_expires_at)
    kept = await repository.record_join(
        session,
        InterestGroupJoin(group_id=group.id, member_id=member_id, joined_at=now, qr_version=group.qr_version),
    )
    return InterestGroupJoinRead(
        group_id=group.id,
        joined_at=kept.joined_at,
        first_time=kept.joined_at == now,
        qr_expires_at=group.qr_expires_at,
    )
