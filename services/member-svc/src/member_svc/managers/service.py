"""Customer managers: their card and invite code, who they look after, visits, the plan, KPIs, targets."""

from __future__ import annotations

import math
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Literal
from urllib.parse import urlencode

from cheyou_events.catalogue.member import ManagerAssigned
from cheyou_kit.auth import Principal
from cheyou_kit.errors import NotFound
from cheyou_kit.pagination import Slice
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc import china_time
from member_svc.auth import desk_of, looks_after
from member_svc.errors import InvalidField, PhoneChangeNeedsProof, WrongState
from member_svc.eventing import publish
from member_svc.managers import repository
from member_svc.managers.models import Assignment, ManagerProfile, MemberCorrection, Visit
from member_svc.managers.schemas import (
    CorrectionCreate,
    Kpi,
    ManagerUpsert,
    PlanEntry,
    TaskCustomer,
    TaskRead,
    UnitTarget,
    VisitCreate,
)
from member_svc.members import events as member_events
from member_svc.members import service as members_service
from member_svc.members.models import Member
from member_svc.members.schemas import MemberUpdate
from member_svc.pii import PiiCipher
from member_svc.policies import service as policies_service

AssignmentSource = Literal["invite", "ops", "policy"]


async def profiles(session: AsyncSession, team: str | None = None) -> Sequence[ManagerProfile]:
    """Every manager's profile, or one team's, by staff id."""
    return await (repository.in_team(session, team) if team else repository.all_profiles(session))


async def tasks(
    session: AsyncSession, manager_id: str, status: str | None, kind: str | None = None, limit: int = 500
) -> list[TaskRead]:
    """The manager's tasks by due date then priority, with who the customer is (masked)."""
    rows = await repository.tasks_with_customers(session, manager_id, status, kind, limit)
    return [
        TaskRead.model_validate(task).model_copy(
            update={
                "customer": TaskCustomer(name_masked=name, tier=tier, phone_masked=phone)
                if name is not None and tier is not None and phone is not None
                else None
            }
        )
        for task, name, tier, phone in rows
    ]


async def visits(
    session: AsyncSession,
    *,
    manager_id: str | None,
    member_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Slice[Visit]:
    """A page of visits, newest first, of one manager and/or one member."""
    return await repository.visits(
        session, manager_id=manager_id, member_id=member_id, cursor=cursor, limit=limit
    )


async def assignments(session: AsyncSession, member_id: uuid.UUID) -> Sequence[Assignment]:
    """Who looked after the member, newest first."""
    return await repository.assignments(session, member_id)


async def find(session: AsyncSession, staff_id: str) -> ManagerProfile | None:
    """The manager's profile, or None."""
    return await repository.get(session, staff_id)


async def by_invite_code(session: AsyncSession, code: str) -> ManagerProfile | None:
    """The manager whose invite code this is (case and spaces ignored), or None."""
    return await repository.by_invite_code(session, code)


async def get(session: AsyncSession, staff_id: str) -> ManagerProfile:
    profile = await repository.get(session, staff_id)
    if profile is None:
        raise NotFound(f"manager {staff_id} is not known")
    return profile


async def assign(
    session: AsyncSession,
    member: Member,
    manager_id: str,
    *,
    source: AssignmentSource,
    by: str,
    reason: str | None,
    now: datetime,
) -> bool:
    """Make ``manager_id`` the member's manager, keeping the history; False when nothing changed."""
    manager = await repository.get(session, manager_id)
    if manager is None or not manager.active:
        raise InvalidField("manager_id", f"no active manager {manager_id}", "unknown_manager")
    if member.manager_id == manager_id:
        return False
    previous = member.manager_id
    member.manager_id = manager_id
    member.updated_at = now
    await repository.add_assignment(
        session,
        Assignment(
            member_id=member.id,
            manager_id=manager_id,
            previous_manager_id=previous,
            source=source,
            reason=reason,
            assigned_by=by,
            assigned_at=now,
        ),
    )
    if member.status == "verified":
        assigned = ManagerAssigned(
            member_id=str(member.id), manager_id=manager_id, previous_manager_id=previous, assigned_at=now
        )
        await publish(session, assigned)
        await member_events.profile_changed(session, member, now)
    return True


async def create_post_claim_task(
    session: AsyncSession, member_id: uuid.UUID, claim_id: str, settled_at: datetime
) -> None:
    """A callback after a settled claim, due within three days, for the member's manager (if any)."""
    member = await members_service.find(session, member_id)
    if member is None or member.manager_id is None:
        return
    await repository.add_task(
        session,
        {
            "id": uuid.uuid4(),
            "manager_id": member.manager_id,
            "member_id": member_id,
            "kind": "post_claim_callback",
            "source_ref": claim_id,
            "due_on": settled_at.date() + timedelta(days=3),
            "status": "open",
            "priority": "high",
            "context": {"claim_id": claim_id, "settled_at": settled_at.isoformat(), "tier": member.tier},
        },
    )


async def create_activity_followup(
    session: AsyncSession,
    member_id: uuid.UUID,
    signup_id: str,
    activity_id: str,
    activity_title: str | None,
    attended_at: datetime,
) -> None:
    """A follow-up after a club activity the member attended, due within three days, for their manager."""
    member = await members_service.find(session, member_id)
    if member is None or member.manager_id is None or member.status != "verified":
        return
    await repository.add_task(
        session,
        {
            "id": uuid.uuid4(),
            "manager_id": member.manager_id,
            "member_id": member_id,
            "kind": "activity_followup",
            "source_ref": signup_id,
            "due_on": china_time.today(attended_at) + timedelta(days=3),
            "status": "open",
            "priority": "normal",
            "context": {
                "activity_id": activity_id,
                "activity_title": activity_title,
                "attended_at": attended_at.isoformat(),
                "tier": member.tier,
            },
        },
    )


async def close_renewed(
    session: AsyncSession,
    member_id: uuid.UUID,
    *,
    policy_no: str,
    previous_policy_no: str | None,
    line: str,
    plate: str | None,
    ends_on: date,
    at: datetime,
) -> int:
    """A new or renewed policy of the member answers the open renewal-due and win-back tasks of the policy
    it continues (``previous_policy_no``), or of an earlier policy of the same line and plate: they close
    as done without a visit (``context.closed_by = "policy_renewed"``). Returns how many closed."""
    return await repository.close_renewed(
        session,
        {
            "member_id": member_id,
            "policy_no": policy_no,
            "previous_policy_no": previous_policy_no,
            "line": line,
            "plate": plate,
            "ends_on": ends_on,
            "at": at,
        },
    )


RENEWAL_DAYS, WINBACK_DAYS, WINBACK_HORIZON_DAYS = 30, 15, 90


async def generate_tasks(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Generate the day's work for every manager from the projection: renewals due (a policy ends within
    30 days, no renewal yet), win-backs (ended 15 days ago, not renewed, within 90 days), star customers
    about to drop a tier, star customers behind their visit plan. Safe to repeat (one task per fact)."""
    today = china_time.today(now)
    year_start = date(today.year, 1, 1)
    return await repository.generate_tasks(
        session,
        {
            "today": today,
            "now": now,
            "renewal_days": RENEWAL_DAYS,
            "winback_days": WINBACK_DAYS,
            "winback_horizon": WINBACK_HORIZON_DAYS,
            "year": str(today.year),
            "year_start": year_start,
            "year_start_at": china_time.start_of(year_start),
            "spacing": PLAN_SPACING_DAYS,
            "min_visits": PLAN_MIN_VISITS,
        },
    )


async def upsert_profile(
    session: AsyncSession, staff_id: str, data: ManagerUpsert, now: datetime
) -> ManagerProfile:
    profile = await repository.get(session, staff_id)
    created = profile is None
    if profile is None:
        profile = ManagerProfile(staff_id=staff_id, invite_code=new_invite_code(), created_at=now)
    for field, value in data.model_dump().items():
        setattr(profile, field, value)
    profile.updated_at = now
    try:
        async with session.begin_nested():
            if created:
                await repository.add(session, profile)
            await session.flush()
    except IntegrityError as exc:
        raise InvalidField("staff_number", "another manager has this staff number", "duplicate") from exc
    return profile


def new_invite_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
    return "M" + "".join(secrets.choice(alphabet) for _ in range(7))


def invite_url(settings_url: str, profile: ManagerProfile) -> str:
    return f"{settings_url}?{urlencode({'manager_code': profile.invite_code})}"


async def record_visit(
    session: AsyncSession, principal: Principal, data: VisitCreate, now: datetime
) -> Visit:
    """A visit by the member's manager (or recorded by ops for them); it may complete a follow-up task."""
    member = await members_service.find(session, data.member_id)
    if member is None or not looks_after(principal, member.manager_id):
        raise InvalidField("member_id", "not one of your customers", "unknown_member")
    manager_id = desk_of(principal, member.manager_id)
    if manager_id is None:
        raise InvalidField("member_id", "the member has no manager", "no_manager")
    if data.visited_at > now + timedelta(minutes=5):
        raise InvalidField("visited_at", "a visit cannot be in the future")
    visit = Visit(
        id=uuid.uuid4(),
        manager_id=manager_id,
        member_id=member.id,
        kind=data.kind,
        channel=data.channel,
        visited_at=data.visited_at,
        notes=data.notes,
        task_id=data.task_id,
    )
    if data.task_id is not None:
        task = await repository.get_task(session, data.task_id)
        if task is None or task.manager_id != manager_id or task.member_id != member.id:
            raise InvalidField("task_id", "no such task of yours for this member", "unknown_task")
        if task.status != "open":
            raise WrongState("the task is already done")
        task.status, task.visit_id, task.closed_at = "done", visit.id, now
    else:
        # A visit of a kind closes the member's open tasks that such a visit is the answer to.
        kinds = [kind for kind, closing in VISIT_CLOSES.items() if closing == data.kind]
        for task in await repository.open_tasks_of(session, manager_id, member.id, kinds):
            task.status, task.visit_id, task.closed_at = "done", visit.id, now
    await repository.add_visit(session, visit)
    return visit


VISIT_CLOSES = {
    "post_claim_callback": "post_claim_callback",
    "renewal_due": "renewal_contact",
    "winback": "winback_visit",
    "activity_followup": "activity_followup",
    "tier_downgrade_warning": "star_visit",
    "star_visit_overdue": "star_visit",
}
"""Task kind → the visit kind that does it."""


async def correct(
    session: AsyncSession,
    pii: PiiCipher,
    principal: Principal,
    member: Member,
    data: CorrectionCreate,
    now: datetime,
) -> tuple[MemberCorrection, str | None]:
    """A manager (of this customer) or ops corrects the customer's contact details or vehicles, audited;
    returns the correction and the phone number it replaced, if it replaced one (its owner is told, as
    after the member's own change).

    The same proofs as the member's own change: a new phone only with the code sent to it, which the
    gateway checked (``Principal.verified_phone``); vehicles and region as the member may change them."""
    if not looks_after(principal, member.manager_id):
        raise NotFound(f"member {member.id} is not known")
    if data.phone is None and data.region_code is None and data.vehicles is None:
        raise InvalidField("phone", "nothing to correct: give phone, region_code or vehicles")
    before = _correctable(member)
    proof = replaced = None
    if data.phone is not None and member.phone_hash != pii.lookup_hash(data.phone):
        if principal.verified_phone != data.phone:
            raise PhoneChangeNeedsProof(
                "a new phone needs the code sent to it: POST /api/v1/auth/otp with the new number, "
                "POST /api/v1/auth/otp/verify with the code the customer reads out, then send its "
                "phone_proof as X-Phone-Proof"
            )
        replaced = await members_service.change_phone(session, pii, member, data.phone, now)
        proof = "sms_code_to_new_phone"
    if data.region_code is not None or data.vehicles is not None:
        await members_service.update(
            session, pii, member, MemberUpdate(region_code=data.region_code, vehicles=data.vehicles), now
        )
    after = _correctable(member)
    changed = [field for field in before if before[field] != after[field]]
    correction = MemberCorrection(
        member_id=member.id,
        actor=principal.actor_id,
        role=principal.role.value,
        fields=changed,
        before={f: before[f] for f in changed},
        after={f: after[f] for f in changed},
        reason=data.reason,
        proof=proof,
        corrected_at=now,
    )
    await repository.add_correction(session, correction)
    return correction, replaced


def _correctable(member: Member) -> dict[str, object]:
    """The fields a correction may touch, as the audit keeps them (the phone masked)."""
    return {
        "phone": member.phone_masked,
        "region_code": member.region_code,
        "vehicles": [
            {
                "plate": v.plate,
                "vin": v.vin,
                "kind": v.kind,
                "registered_on": v.registered_on.isoformat() if v.registered_on else None,
            }
            for v in sorted(member.vehicles, key=lambda v: v.plate)
        ],
    }


async def corrections(session: AsyncSession, member_id: uuid.UUID) -> Sequence[MemberCorrection]:
    """The corrections made to a member's data, newest first."""
    return await repository.corrections(session, member_id)


PLAN_MIN_VISITS, PLAN_SPACING_DAYS, DUE_WINDOW_DAYS = 3, 365 // 3, 30


async def visit_plan(session: AsyncSession, manager_id: str, today: date) -> list[PlanEntry]:
    """Each star member needs 3–5 visits a year, paced: the k-th visit is due k × 121 days into the year.
    Overdue when behind that pace, due within 30 days of it, met after the third."""
    year_start = date(today.year, 1, 1)
    since = datetime.combine(year_start, datetime.min.time(), UTC)
    entries = []
    for member_id, tier, name, visits, last in await repository.star_members_with_visits(
        session, manager_id, since
    ):
        next_due = (
            None
            if visits >= PLAN_MIN_VISITS
            else year_start + timedelta(days=(visits + 1) * PLAN_SPACING_DAYS)
        )
        status: Literal["overdue", "due", "scheduled", "met"]
        if next_due is None:
            status = "met"
        elif next_due < today:
            status = "overdue"
        elif next_due <= today + timedelta(days=DUE_WINDOW_DAYS):
            status = "due"
        else:
            status = "scheduled"
        entries.append(
            PlanEntry(
                member_id=member_id,
                tier=tier,
                name_masked=name,
                visits_this_year=visits,
                last_visit_at=last,
                next_due_on=next_due,
                status=status,
            )
        )
    order = {"overdue": 0, "due": 1, "scheduled": 2, "met": 3}
    return sorted(entries, key=lambda e: (order[e.status], e.next_due_on or today))


async def kpis(
    session: AsyncSession,
    profiles: list[ManagerProfile],
    since: date,
    until: date,
    *,
    team: str | None = None,
) -> list[Kpi]:
    """Visits by kind against the star-visit plan, joins and renewal contacts, per manager (or summed)."""
    ids = [p.staff_id for p in profiles]
    start = datetime.combine(since, datetime.min.time(), UTC)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC)
    counts = await repository.visit_counts(session, ids, start, end)
    stars = await repository.star_member_counts(session, ids)
    joins = await repository.joins_by_manager(session, ids, start, end)
    invitations = await repository.invitations_by_manager(session, ids, start, end)
    days = (until - since).days + 1
    rows = []
    for profile in profiles:
        by_kind = {k: n for m, k, n in counts if m == profile.staff_id}
        star_members = stars.get(profile.staff_id, 0)
        invited, converted = invitations.get(profile.staff_id, (0, 0))
        rows.append(
            Kpi(
                staff_id=profile.staff_id,
                team=profile.team,
                since=since,
                until=until,
                visits_by_kind=by_kind,
                star_members=star_members,
                star_visits_planned=round(star_members * PLAN_MIN_VISITS * days / 365),
                star_visits_done=by_kind.get("star_visit", 0),
                joins=joins.get(profile.staff_id, 0),
                renewal_contacts=by_kind.get("renewal_contact", 0),
                invited=invited,
                invitations_verified=converted,
                invitation_conversion=_share(converted, invited),
            )
        )
    if team is None:
        return rows
    total: dict[str, int] = {}
    for row in rows:
        for kind, n in row.visits_by_kind.items():
            total[kind] = total.get(kind, 0) + n
    return [
        Kpi(
            staff_id=None,
            team=team,
            since=since,
            until=until,
            visits_by_kind=total,
            star_members=sum(r.star_members for r in rows),
            star_visits_planned=sum(r.star_visits_planned for r in rows),
            star_visits_done=sum(r.star_visits_done for r in rows),
            joins=sum(r.joins for r in rows),
            renewal_contacts=sum(r.renewal_contacts for r in rows),
            invited=sum(r.invited for r in rows),
            invitations_verified=sum(r.invitations_verified for r in rows),
            invitation_conversion=_share(
                sum(r.invitations_verified for r in rows), sum(r.invited for r in rows)
            ),
        )
    ]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


TARGET_SHARE = Fraction(1, 4)


async def targets(session: AsyncSession, month: date) -> list[UnitTarget]:
    """Each unit's recruitment target for the month = 25% of its household-car commercial policies
    underwritten the month before (rounded up), with the joins so far."""
    start, end = repository.month_bounds(month)
    previous_start, _ = repository.month_bounds(start - timedelta(days=1))
    base = await policies_service.household_commercial_by_unit(session, previous_start, start)
    joins = await repository.joins_by_unit(
        session,
        datetime.combine(start, datetime.min.time(), UTC),
        datetime.combine(end, datetime.min.time(), UTC),
    )
    rows = []
    for unit in sorted(set(base) | set(joins)):
        target = math.ceil(base.get(unit, 0) * TARGET_SHARE)
        rows.append(
            UnitTarget(
                unit_code=unit,
                month=f"{start:%Y-%m}",
                household_commercial_last_month=base.get(unit, 0),
                target=target,
                joins=joins.get(unit, 0),
                attainment=round(joins.get(unit, 0) / target, 4) if target else None,
            )
        )
    return rows
