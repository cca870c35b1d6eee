from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ScalarSelect, case, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.member_projection.models import MemberPolicy, MemberProfile, MemberTier


async def set_tier(session: AsyncSession, member_id: str, tier: str, changed_at: datetime) -> bool:
    """Keep the newest tier: an older change arriving late never overwrites a newer one.

    Returns whether the change was applied.
    """
    statement = insert(MemberTier).values(
        member_id=member_id, tier=tier, changed_at=changed_at, year_starts_on=changed_at.date()
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[MemberTier.member_id],
        set_={"tier": statement.excluded.tier, "changed_at": statement.excluded.changed_at},
        where=MemberTier.changed_at.is_(None) | (MemberTier.changed_at <= statement.excluded.changed_at),
    ).returning(MemberTier.member_id)
    return (await session.execute(upsert)).first() is not None


async def know(session: AsyncSession, member_id: str, tier: str, since: date) -> None:
    """Hold ``tier`` for a member not known yet, with no change time (so that any change member-svc
    announces replaces it, even one dated earlier); a member already known keeps the tier they hold."""
    statement = insert(MemberTier).values(
        member_id=member_id, tier=tier, changed_at=None, year_starts_on=since
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=[MemberTier.member_id]))


async def get(session: AsyncSession, member_id: str) -> MemberTier | None:
    statement = select(MemberTier).where(MemberTier.member_id == member_id)
    return await session.scalar(statement.execution_options(populate_existing=True))


def _policy_year_anchor(member_id: str) -> ScalarSelect[date]:
    """The start of the member's current policy: active, the commercial line before the others (privileges
    come with the commercial policy), the latest start first."""
    return (
        select(MemberPolicy.starts_on)
        .where(MemberPolicy.member_id == member_id, MemberPolicy.status == "active")
        .order_by(case((MemberPolicy.line == "commercial", 0), else_=1), MemberPolicy.starts_on.desc())
        .limit(1)
        .scalar_subquery()
    )


async def tier_and_year_anchor(session: AsyncSession, member_id: str) -> tuple[str, date | None] | None:
    """The member's tier and the anchor of their privilege year (the policy start when a policy is known,
    else the day they first held a tier), in one query; None when the member is not known."""
    statement = select(MemberTier.tier, MemberTier.year_starts_on, _policy_year_anchor(member_id)).where(
        MemberTier.member_id == member_id
    )
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    tier, first_held, policy_start = row
    return tier, policy_start or first_held


async def tier_of(session: AsyncSession, member_id: str) -> str | None:
    return await session.scalar(select(MemberTier.tier).where(MemberTier.member_id == member_id))


async def set_policy(session: AsyncSession, member_id: str, policy: dict[str, object], at: datetime) -> bool:
    """Upsert a policy as last described; an older description arriving late is ignored."""
    statement = insert(MemberPolicy).values(member_id=member_id, changed_at=at, **policy)
    upsert = statement.on_conflict_do_update(
        index_elements=[MemberPolicy.policy_no],
        set_={
            name: statement.excluded[name]
            for name in ("member_id", "line", "status", "premium_fen", "starts_on", "ends_on", "changed_at")
        },
        where=MemberPolicy.changed_at <= statement.excluded.changed_at,
    ).returning(MemberPolicy.policy_no)
    return (await session.execute(upsert)).first() is not None


async def record_referral(session: AsyncSession, member_id: str, referred_by: str) -> MemberProfile:
    """Remember who referred the member (the first announcement wins); the profile as it is now."""
    return await _record_first(session, member_id, "referred_by_member_id", referred_by)


async def record_verified(session: AsyncSession, member_id: str, at: datetime) -> MemberProfile:
    """Remember when the member was verified (the first verification counts); the profile as it is now."""
    return await _record_first(session, member_id, "verified_at", at)


async def _record_first(session: AsyncSession, member_id: str, column: str, value: object) -> MemberProfile:
    """Set one profile column unless it already holds a value (creating the profile when needed)."""
    statement = insert(MemberProfile).values(member_id=member_id, **{column: value})
    upsert = statement.on_conflict_do_update(
        index_elements=[MemberProfile.member_id],
        set_={column: statement.excluded[column]},
        where=MemberProfile.__table__.c[column].is_(None),
    )
    await session.execute(upsert)
    return await _profile(session, member_id)


async def set_interests(session: AsyncSession, member_id: str, interests: list[str], at: datetime) -> bool:
    """Keep the newest interests: an older profile arriving late never overwrites a newer one."""
    statement = insert(MemberProfile).values(
        member_id=member_id, interests=interests, interests_changed_at=at
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[MemberProfile.member_id],
        set_={"interests": statement.excluded.interests, "interests_changed_at": at},
        where=MemberProfile.interests_changed_at.is_(None) | (MemberProfile.interests_changed_at <= at),
    ).returning(MemberProfile.member_id)
    return (await session.execute(upsert)).first() is not None


async def set_openid(session: AsyncSession, member_id: str, openid: str | None, at: datetime) -> bool:
    """Keep the newest WeChat binding: an older contact arriving late never overwrites a newer one."""
    statement = insert(MemberProfile).values(member_id=member_id, openid=openid, contact_changed_at=at)
    upsert = statement.on_conflict_do_update(
        index_elements=[MemberProfile.member_id],
        set_={"openid": statement.excluded.openid, "contact_changed_at": at},
        where=MemberProfile.contact_changed_at.is_(None) | (MemberProfile.contact_changed_at <= at),
    ).returning(MemberProfile.member_id)
    return (await session.execute(upsert)).first() is not None


async def openid_of(session: AsyncSession, member_id: str) -> str | None:
    return await session.scalar(select(MemberProfile.openid).where(MemberProfile.member_id == member_id))


async def interests_of(session: AsyncSession, member_id: str) -> list[str]:
    statement = select(MemberProfile.interests).where(MemberProfile.member_id == member_id)
    return list(await session.scalar(statement) or [])


async def _profile(session: AsyncSession, member_id: str) -> MemberProfile:
    statement = select(MemberProfile).where(MemberProfile.member_id == member_id)
    return (await session.scalars(statement.execution_options(populate_existing=True))).one()
