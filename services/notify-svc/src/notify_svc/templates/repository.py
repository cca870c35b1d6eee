from __future__ import annotations

import uuid

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.templates.models import Template


async def approved_latest(session: AsyncSession, code: str) -> dict[str, Template]:
    """The newest approved template of ``code`` per channel."""
    statement = (
        select(Template)
        .where(Template.code == code, Template.status == "approved")
        .order_by(Template.channel, Template.version.desc())
        .ext(distinct_on(Template.channel))
    )
    return {t.channel: t for t in (await session.scalars(statement)).all()}


async def get(session: AsyncSession, template_id: uuid.UUID) -> Template | None:
    return await session.get(Template, template_id)


async def next_version(session: AsyncSession, code: str, channel: str) -> int:
    current = await session.scalar(
        select(func.max(Template.version)).where(Template.code == code, Template.channel == channel)
    )
    return (current or 0) + 1


async def add(session: AsyncSession, template: Template) -> Template:
    session.add(template)
    await session.flush()
    return template


async def page(session: AsyncSession, code: str | None, cursor: str | None, limit: int) -> Slice[Template]:
    statement = select(Template)
    if code is not None:
        statement = statement.where(Template.code == code)
    return await paginate(
        session, statement, cursor, limit, by=(Template.code, Template.channel, Template.version)
    )
