from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.policies.models import Policy


async def upsert(session: AsyncSession, values: dict[str, Any], at: datetime) -> None:
    statement = insert(Policy).values(**values, updated_at=at)
    statement = statement.on_conflict_do_update(
        index_elements=[Policy.policy_no],
        set_={**{key: statement.excluded[key] for key in values if key != "policy_no"}, "updated_at": at},
    )
    await session.execute(statement)


async def set_status(session: AsyncSession, policy_no: str, status: str, at: datetime) -> int:
    result = await session.execute(
        update(Policy).where(Policy.policy_no == policy_no).values(status=status, updated_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def get(session: AsyncSession, policy_no: str) -> Policy | None:
    return await session.get(Policy, policy_no)


async def list_for_customer(session: AsyncSession, customer_no: str) -> Sequence[Policy]:
    result = await session.scalars(
        select(Policy).where(Policy.customer_no == customer_no).order_by(Policy.starts_on.desc())
    )
    return result.all()
