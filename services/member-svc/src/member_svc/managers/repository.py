from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.china_time import day_of
from member_svc.invitations.models import Invitation
from member_svc.managers.models import Assignment, ManagerProfile, ManagerTask, MemberCorrection, Visit
from member_svc.members.models import Member

STAR_TIERS = ("three_star", "four_star", "five_star")


async def get(session: AsyncSession, staff_id: str) -> ManagerProfile | None:
    return await session.get(ManagerProfile, staff_id)


async def by_invite_code(session: AsyncSession, code: str) -> ManagerProfile | None:
    statement = select(ManagerProfile).where(ManagerProfile.invite_code == code.strip().upper())
    return (await session.scalars(statement)).one_or_none()


async def add(session: AsyncSession, profile: ManagerProfile) -> None:
    session.add(profile)
    await session.flush()


async def in_team(session: AsyncSession, team: str) -> Sequence[ManagerProfile]:
    result = await session.scalars(
        select(ManagerProfile).where(ManagerProfile.team == team).order_by(ManagerProfile.staff_id)
    )
    return result.all()


async def all_profiles(session: AsyncSession) -> Sequence[ManagerProfile]:
    return (await session.scalars(select(ManagerProfile).order_by(ManagerProfile.staff_id))).all()


async def add_assignment(session: AsyncSession, assignment: Assignment) -> None:
    session.add(assignment)
    await session.flush()


async def assignments(session: AsyncSession, member_id: uuid.UUID) -> Sequence[Assignment]:
    result = await session.scalars(
        select(Assignment).where(Assignment.member_id == member_id).order_by(Assignment.id.desc())
    )
    return result.all()


async def add_visit(session: AsyncSession, visit: Visit) -> None:
    session.add(visit)
    await session.flush()


async def visits(
    session: AsyncSession,
    *,
    manager_id: str | None,
    member_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Visit]:
    statement = select(Visit)
    if manager_id is not None:
        statement = statement.where(Visit.manager_id == manager_id)
    if member_id is not None:
        statement = statement.where(Visit.member_id == member_id)
    return await paginate(session, statement, cursor, limit, by=(Visit.visited_at, Visit.id), descending=True)


async def add_task(session: AsyncSession, values: dict[str, Any]) -> None:
    from sqlalchemy.dialects.postgresql import insert

    await session.execute(
        insert(ManagerTask).values(**values).on_conflict_do_nothing(index_elements=["kind", "source_ref"])
    )


async def tasks(session: AsyncSession, manager_id: str, status: str | None) -> Sequence[ManagerTask]:
    statement = select(ManagerTask).where(ManagerTask.manager_id == manager_id).order_by(ManagerTask.due_on)
    if status is not None:
        statement = statement.where(ManagerTask.status == status)
    return (await session.scalars(statement)).all()


async def get_task(session: AsyncSession, task_id: uuid.UUID) -> ManagerTask | None:
    return await session.get(ManagerTask, task_id, with_for_update=True)


async def star_members_with_visits(
    session: AsyncSession, manager_id: str, since: datetime
) -> list[tuple[uuid.UUID, str, str, int, datetime | None]]:
    """(member, tier, masked name, visits since, last visit) of the manager's star members."""
    statement = (
        select(
            Member.id,
            Member.tier,
            Member.name_masked,
            func.count(Visit.id).filter(Visit.visited_at >= since),
            func.max(Visit.visited_at),
        )
        .outerjoin(Visit, (Visit.member_id == Member.id) & (Visit.manager_id == manager_id))
        .where(Member.manager_id == manager_id, Member.tier.in_(STAR_TIERS), Member.status == "verified")
        .group_by(Member.id)
        .order_by(Member.id)
    )
    return [(m, t, n, int(c), last) for m, t, n, c, last in (await session.execute(statement)).all()]


async def visit_counts(
    session: AsyncSession, manager_ids: Sequence[str], since: datetime, until: datetime
) -> list[tuple[str, str, int]]:
    statement = (
        select(Visit.manager_id, Visit.kind, func.count())
        .where(Visit.manager_id.in_(manager_ids), Visit.visited_at >= since, Visit.visited_at < until)
        .group_by(Visit.manager_id, Visit.kind)
    )
    return [(m, k, int(n)) for m, k, n in (await session.execute(statement)).all()]


async def star_member_counts(session: AsyncSession, manager_ids: Sequence[str]) -> dict[str, int]:
    statement = (
        select(Member.manager_id, func.count())
        .where(Member.manager_id.in_(manager_ids), Member.tier.in_(STAR_TIERS), Member.status == "verified")
        .group_by(Member.manager_id)
    )
    return {str(m): int(n) for m, n in (await session.execute(statement)).all()}


async def joins_by_manager(
    session: AsyncSession, manager_ids: Sequence[str], since: datetime, until: datetime
) -> dict[str, int]:
    statement = (
        select(Member.invited_by_manager_id, func.count())
        .where(
            Member.invited_by_manager_id.in_(manager_ids),
            Member.joined_at >= since,
            Member.joined_at < until,
            Member.status != "invited",
        )
        .group_by(Member.invited_by_manager_id)
    )
    return {str(m): int(n) for m, n in (await session.execute(statement)).all()}


async def joins_by_unit(session: AsyncSession, since: datetime, until: datetime) -> dict[str, int]:
    day = day_of(Member.joined_at)
    statement = (
        select(Member.join_unit, func.count())
        .where(
            Member.join_unit.is_not(None), Member.status != "invited", day >= since.date(), day < until.date()
        )
        .group_by(Member.join_unit)
    )
    return {str(u): int(n) for u, n in (await session.execute(statement)).all()}


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


async def invitations_by_manager(
    session: AsyncSession, manager_ids: Sequence[str], since: datetime, until: datetime
) -> dict[str, tuple[int, int]]:
    """Manager → (invitations sent in [since, until), of those verified members now)."""
    statement = (
        select(Invitation.manager_id, func.count(), func.count().filter(Member.status == "verified"))
        .join(Member, Member.id == Invitation.member_id)
        .where(
            Invitation.manager_id.in_(manager_ids),
            Invitation.invited_at >= since,
            Invitation.invited_at < until,
        )
        .group_by(Invitation.manager_id)
    )
    return {str(m): (int(n), int(v)) for m, n, v in (await session.execute(statement)).all()}


# Generated work. Each generator is one INSERT … SELECT over the projection, ON CONFLICT (kind,
# source_ref) DO NOTHING: a job run twice, by two replicas or after a crash, adds nothing.
_STAR = "('three_star', 'four_star', 'five_star')"
_NO_SUCCESSOR = "NOT EXISTS (SELECT 1 FROM policies r WHERE r.previous_policy_no = p.policy_no)"
_INSERT = (
    "INSERT INTO manager_tasks "
    "(id, manager_id, member_id, kind, source_ref, due_on, status, priority, context, created_at) "
)
_ON_CONFLICT = " ON CONFLICT (kind, source_ref) DO NOTHING"

_RENEWAL_DUE = text(
    _INSERT
    + f"""
SELECT gen_random_uuid(), m.manager_id, m.id, 'renewal_due',
       m.id::text || ':' || coalesce(p.plate, p.policy_no) || ':' || to_char(p.ends_on, 'YYYYMMDD'),
       greatest(p.ends_on - 7, CAST(:today AS date)), 'open',
       CASE WHEN p.ends_on <= CAST(:today AS date) + 7 THEN 'high' ELSE 'normal' END,
       jsonb_build_object('policy_no', p.policy_no, 'line', p.line, 'plate', p.plate,
                          'ends_on', p.ends_on, 'premium_fen', p.premium_fen, 'tier', m.tier),
       CAST(:now AS timestamptz)
  FROM policies p JOIN members m ON m.id = p.member_id
 WHERE p.status = 'active'
   AND p.ends_on BETWEEN CAST(:today AS date) AND CAST(:today AS date) + CAST(:renewal_days AS integer)
   AND m.status = 'verified' AND m.manager_id IS NOT NULL
   AND {_NO_SUCCESSOR}"""
    + _ON_CONFLICT
)

_WINBACK = text(
    _INSERT
    + f"""
SELECT gen_random_uuid(), m.manager_id, m.id, 'winback',
       m.id::text || ':' || coalesce(p.plate, p.policy_no) || ':' || to_char(p.ends_on, 'YYYYMMDD'),
       greatest(p.ends_on + CAST(:winback_days AS integer) + 7, CAST(:today AS date)), 'open',
       CASE WHEN m.tier IN {_STAR} THEN 'high' ELSE 'normal' END,
       jsonb_build_object('policy_no', p.policy_no, 'line', p.line, 'plate', p.plate,
                          'ended_on', p.ends_on, 'premium_fen', p.premium_fen, 'tier', m.tier),
       CAST(:now AS timestamptz)
  FROM policies p JOIN members m ON m.id = p.member_id
 WHERE p.status IN ('active', 'lapsed')
   AND p.ends_on <= CAST(:today AS date) - CAST(:winback_days AS integer)
   AND p.ends_on > CAST(:today AS date) - CAST(:winback_horizon AS integer)
   AND m.status = 'verified' AND m.manager_id IS NOT NULL
   AND {_NO_SUCCESSOR}
   AND NOT EXISTS (SELECT 1 FROM policies q
                    WHERE q.member_id = p.member_id AND q.line = p.line AND q.status = 'active'
                      AND q.ends_on > CAST(:today AS date)
                      AND coalesce(q.plate, '') = coalesce(p.plate, ''))"""
    + _ON_CONFLICT
)

_TIER_DOWNGRADE = text(
    _INSERT
    + f"""
SELECT gen_random_uuid(), m.manager_id, m.id, 'tier_downgrade_warning',
       m.id::text || ':' || to_char(m.downgrade_due_on, 'YYYYMMDD'),
       greatest(m.downgrade_due_on - 14, CAST(:today AS date)), 'open', 'high',
       jsonb_build_object('tier', m.tier, 'to_tier', n.to_tier, 'effective_on', m.downgrade_due_on,
                          'contribution_fen', m.contribution_fen,
                          'contribution_needed_fen', n.contribution_needed_fen),
       CAST(:now AS timestamptz)
  FROM members m
  LEFT JOIN LATERAL (SELECT d.to_tier, d.contribution_needed_fen FROM tier_downgrade_notices d
                      WHERE d.member_id = m.id AND d.effective_on = m.downgrade_due_on
                      ORDER BY d.id DESC LIMIT 1) n ON true
 WHERE m.status = 'verified' AND m.manager_id IS NOT NULL AND m.tier IN {_STAR}
   AND m.downgrade_due_on IS NOT NULL AND m.downgrade_due_on >= CAST(:today AS date)"""
    + _ON_CONFLICT
)

_STAR_VISIT_OVERDUE = text(
    _INSERT
    + f"""
SELECT gen_random_uuid(), m.manager_id, m.id, 'star_visit_overdue',
       m.id::text || ':' || CAST(:year AS text) || ':' || (v.n + 1),
       CAST(:year_start AS date) + CAST(v.n + 1 AS integer) * CAST(:spacing AS integer), 'open',
       CASE WHEN m.tier = 'five_star' THEN 'high' ELSE 'normal' END,
       jsonb_build_object('tier', m.tier, 'visits_this_year', v.n, 'last_visit_at', v.last),
       CAST(:now AS timestamptz)
  FROM members m
  CROSS JOIN LATERAL (SELECT count(*) AS n, max(x.visited_at) AS last FROM visits x
                       WHERE x.member_id = m.id AND x.manager_id = m.manager_id
                         AND x.visited_at >= CAST(:year_start_at AS timestamptz)) v
 WHERE m.status = 'verified' AND m.manager_id IS NOT NULL AND m.tier IN {_STAR}
   AND v.n < CAST(:min_visits AS integer)
   AND CAST(:year_start AS date) + CAST(v.n + 1 AS integer) * CAST(:spacing AS integer)
       < CAST(:today AS date)"""
    + _ON_CONFLICT
)


async def generate_tasks(session: AsyncSession, params: dict[str, Any]) -> dict[str, int]:
    """Run every generator; the tasks each added."""
    added = {}
    for kind, statement in (
        ("renewal_due", _RENEWAL_DUE),
        ("winback", _WINBACK),
        ("tier_downgrade_warning", _TIER_DOWNGRADE),
        ("star_visit_overdue", _STAR_VISIT_OVERDUE),
    ):
        names = set(statement.compile().params)
        result = await session.execute(statement, {k: v for k, v in params.items() if k in names})
        added[kind] = int(getattr(result, "rowcount", 0) or 0)
    return added


async def tasks_with_customers(
    session: AsyncSession, manager_id: str, status: str | None, kind: str | None, limit: int
) -> list[tuple[ManagerTask, str | None, str | None, str | None]]:
    """(task, customer's masked name, tier, masked phone) by due date, then priority."""
    priority = case({"high": 0, "normal": 1}, value=ManagerTask.priority, else_=2)
    statement = (
        select(ManagerTask, Member.name_masked, Member.tier, Member.phone_masked)
        .outerjoin(Member, Member.id == ManagerTask.member_id)
        .where(ManagerTask.manager_id == manager_id)
        .order_by(ManagerTask.due_on, priority, ManagerTask.created_at)
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(ManagerTask.status == status)
    if kind is not None:
        statement = statement.where(ManagerTask.kind == kind)
    return [(t, n, tier, p) for t, n, tier, p in (await session.execute(statement)).all()]


async def open_tasks_of(
    session: AsyncSession, manager_id: str, member_id: uuid.UUID, kinds: Sequence[str]
) -> Sequence[ManagerTask]:
    statement = (
        select(ManagerTask)
        .where(
            ManagerTask.manager_id == manager_id,
            ManagerTask.member_id == member_id,
            ManagerTask.status == "open",
            ManagerTask.kind.in_(kinds),
        )
        .with_for_update()
    )
    return (await session.scalars(statement)).all()


_CLOSE_RENEWED = text(
    """
UPDATE manager_tasks t
   SET status = 'done', closed_at = CAST(:at AS timestamptz),
       context = t.context || jsonb_build_object('closed_by', 'policy_renewed',
                                                 'renewal_policy_no', CAST(:policy_no AS text))
 WHERE t.member_id = :member_id AND t.status = 'open' AND t.kind IN ('renewal_due', 'winback')
   AND t.context ->> 'policy_no' IS DISTINCT FROM CAST(:policy_no AS text)
   AND (t.context ->> 'policy_no' = CAST(:previous_policy_no AS text)
        OR (t.context ->> 'line' = CAST(:line AS text)
            AND coalesce(t.context ->> 'plate', '') = coalesce(CAST(:plate AS text), '')
            AND CAST(coalesce(t.context ->> 'ends_on', t.context ->> 'ended_on') AS date)
                < CAST(:ends_on AS date)))"""
)


async def close_renewed(session: AsyncSession, params: dict[str, Any]) -> int:
    """Close the member's open renewal and win-back tasks that this policy answers; how many."""
    result = await session.execute(_CLOSE_RENEWED, params)
    return int(getattr(result, "rowcount", 0) or 0)


async def add_correction(session: AsyncSession, correction: MemberCorrection) -> None:
    session.add(correction)
    await session.flush()


async def corrections(session: AsyncSession, member_id: uuid.UUID) -> Sequence[MemberCorrection]:
    statement = (
        select(MemberCorrection)
        .where(MemberCorrection.member_id == member_id)
        .order_by(MemberCorrection.id.desc())
    )
    return (await session.scalars(statement)).all()
