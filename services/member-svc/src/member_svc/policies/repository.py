from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.members.models import Member
from member_svc.policies.models import Policy, SettledClaim


async def upsert(session: AsyncSession, values: dict[str, Any], at: datetime) -> None:
    statement = insert(Policy).values(**values, updated_at=at)
    statement = statement.on_conflict_do_update(
        index_elements=[Policy.policy_no],
        set_={**{key: statement.excluded[key] for key in values if key != "policy_no"}, "updated_at": at},
    )
    await session.execute(statement)


async def update_values(session: AsyncSession, policy_no: str, values: dict[str, Any], at: datetime) -> int:
    result = await session.execute(
        update(Policy).where(Policy.policy_no == policy_no).values(**values, updated_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def set_status(session: AsyncSession, policy_no: str, status: str, at: datetime) -> int:
    return await update_values(session, policy_no, {"status": status}, at)


async def get(session: AsyncSession, policy_no: str) -> Policy | None:
    return await session.get(Policy, policy_no)


async def current(session: AsyncSession, policy_no: str) -> Policy | None:
    """The row as the database has it now (after bulk upserts and updates in this transaction)."""
    statement = select(Policy).where(Policy.policy_no == policy_no).execution_options(populate_existing=True)
    return (await session.scalars(statement)).one_or_none()


async def for_member(session: AsyncSession, member_id: uuid.UUID) -> Sequence[Policy]:
    result = await session.scalars(
        select(Policy)
        .where(Policy.member_id == member_id)
        .order_by(Policy.starts_on, Policy.policy_no)
        .execution_options(populate_existing=True)
    )
    return result.all()


async def list_for_customer(session: AsyncSession, customer_no: str) -> Sequence[Policy]:
    result = await session.scalars(
        select(Policy).where(Policy.customer_no == customer_no).order_by(Policy.starts_on.desc())
    )
    return result.all()


async def for_holder(session: AsyncSession, holder_id_hash: str) -> Sequence[Policy]:
    result = await session.scalars(
        select(Policy).where(Policy.holder_id_hash == holder_id_hash).order_by(Policy.starts_on.desc())
    )
    return result.all()


async def member_for_holder(session: AsyncSession, holder_id_hash: str) -> uuid.UUID | None:
    """The verified member with this ID hash: an applicant's registration gives no claim to a policy."""
    return await session.scalar(
        select(Member.id).where(Member.id_hash == holder_id_hash, Member.status == "verified")
    )


async def link_to_member(session: AsyncSession, holder_id_hash: str, member_id: uuid.UUID) -> None:
    """On verification: the holder's policies become the member's (the ID hash is the one verified)."""
    await session.execute(
        update(Policy).where(Policy.holder_id_hash == holder_id_hash).values(member_id=member_id)
    )


async def detach_member(session: AsyncSession, member_id: uuid.UUID) -> None:
    """The member's ID number changed or the application ended: no policy stays linked to them."""
    await session.execute(update(Policy).where(Policy.member_id == member_id).values(member_id=None))


async def member_of_policy(session: AsyncSession, policy_no: str) -> uuid.UUID | None:
    return await session.scalar(select(Policy.member_id).where(Policy.policy_no == policy_no))


async def page_for_members(
    session: AsyncSession,
    member_ids: Sequence[uuid.UUID] | None,
    manager_id: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Policy]:
    statement = select(Policy)
    if member_ids is not None:
        statement = statement.where(Policy.member_id.in_(member_ids))
    if manager_id is not None:
        statement = statement.join(Member, Member.id == Policy.member_id).where(
            Member.manager_id == manager_id
        )
    return await paginate(session, statement, cursor, limit, by=(Policy.policy_no,))


async def add_settled_claim(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(insert(SettledClaim).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


async def household_commercial_by_unit(session: AsyncSession, since: date, until: date) -> dict[str, int]:
    """Household-car commercial policies underwritten per selling unit in [since, until)."""
    unit = func.coalesce(Policy.selling_unit, Policy.branch_code)
    statement = (
        select(unit, func.count())
        .where(
            Policy.line == "commercial",
            Policy.vehicle_kind == "household_car",
            Policy.issued_on >= since,
            Policy.issued_on < until,
        )
        .group_by(unit)
    )
    return {str(u): int(n) for u, n in (await session.execute(statement)).all()}
