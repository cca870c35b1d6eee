from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.preferences.models import Preference


async def of_member(session: AsyncSession, member_id: str) -> Sequence[Preference]:
    return (await session.scalars(select(Preference).where(Preference.member_id == member_id))).all()


async def disabled(session: AsyncSession, member_id: str, category: str) -> set[str]:
    rows = await session.scalars(
        select(Preference.channel).where(
            Preference.member_id == member_id, Preference.category == category, Preference.enabled.is_(False)
        )
    )
    return set(rows.all())


async def put(
    session: AsyncSession, member_id: str, category: str, channel: str, enabled: bool, now: datetime
) -> None:
    statement = insert(Preference).values(
        member_id=member_id, category=category, channel=channel, enabled=enabled, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Preference.member_id, Preference.category, Preference.channel],
            set_={"enabled": enabled, "updated_at": now},
        )
    )


async def disabled_by_member(
    session: AsyncSession, member_ids: Sequence[str], category: str
) -> dict[str, set[str]]:
    rows = await session.execute(
        select(Preference.member_id, Preference.channel).where(
            Preference.member_id.in_(member_ids),
            Preference.category == category,
            Preference.enabled.is_(False),
        )
    )
    disabled: dict[str, set[str]] = {}
    for member_id, channel in rows.all():
        disabled.setdefault(member_id, set()).add(channel)
    return disabled
