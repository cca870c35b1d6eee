from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.errors import NotFound
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from member_svc import china_time, qr
from member_svc.auth import (
    ManagerCardReaderDep,
    ManagerDep,
    ManagerOrOpsDep,
    OpsDep,
    desk_of,
    ensure_own_desk,
    ensure_staff_reads_history,
)
from member_svc.config import SettingsDep
from member_svc.dependencies import PiiDep, RedisDep
from member_svc.errors import InvalidField, PhoneNotProven
from member_svc.managers import service
from member_svc.managers.schemas import (
    AssignmentCreate,
    AssignmentRead,
    CorrectionCreate,
    CorrectionRead,
    Kpi,
    ManagerRead,
    ManagerUpsert,
    PlanEntry,
    TaskKind,
    TaskRead,
    TaskRun,
    TaskStatus,
    UnitTarget,
    VisitCreate,
    VisitRead,
)
from member_svc.members import limits
from member_svc.members import service as members_service
from member_svc.members.schemas import ApplicationReceived, MemberCreate, MemberRead

router = APIRouter(prefix="/managers", tags=["managers"])
visits_router = APIRouter(prefix="/visits", tags=["managers"])
targets_router = APIRouter(prefix="/targets", tags=["managers"])
member_router = APIRouter(prefix="/members/{member_id}", tags=["managers"])

REPLACED_PHONE_HEADER = "X-Replaced-Phone"
"""For the gateway only (``gateway.proxy.service``): the number a correction replaced, which it texts the
notice of the change to and removes from the answer before the manager sees it."""
Since = Annotated[date | None, Query(alias="from")]
Until = Annotated[date | None, Query(alias="to")]


def _now() -> datetime:
    return datetime.now(UTC)


def _period(since: date | None, until: date | None) -> tuple[date, date]:
    today = china_time.today()
    return since or today.replace(day=1), until or today


@router.get("", response_model=list[ManagerRead])
async def list_managers(session: SessionDep, _: OpsDep, team: str | None = None) -> list[ManagerRead]:
    """Every manager, or one team's."""
    profiles = await service.profiles(session, team)
    return [ManagerRead.model_validate(p) for p in profiles]


@router.get("/teams/{team}/kpis", response_model=Kpi)
async def team_kpis(
    team: str, session: SessionDep, _: OpsDep, since: Since = None, until: Until = None
) -> Kpi:
    """A team's visits by kind against the plan, joins and renewal contacts for a period."""
    profiles = list(await service.profiles(session, team))
    if not profiles:
        raise NotFound(f"team {team} is not known")
    start, end = _period(since, until)
    return (await service.kpis(session, profiles, start, end, team=team))[0]


@router.post("/task-runs", response_model=TaskRun)
async def generate_tasks(session: SessionDep, _: OpsDep) -> TaskRun:
    """Generate managers' tasks now (the job does it every ``MEMBER_TASKS_INTERVAL_SECONDS``); repeats
    add nothing."""
    now = _now()
    return TaskRun(generated=await service.generate_tasks(session, now), on=china_time.today(now))


@router.get("/{staff_id}", response_model=ManagerRead)
async def get_manager(staff_id: str, session: SessionDep, _: ManagerCardReaderDep) -> ManagerRead:
    """A manager's card: team, unit, rating, staff number, contact, invite code."""
    return ManagerRead.model_validate(await service.get(session, staff_id))


@router.put("/{staff_id}", response_model=ManagerRead)
async def upsert_manager(staff_id: str, data: ManagerUpsert, session: SessionDep, _: OpsDep) -> ManagerRead:
    """Create or update a manager's profile (an invite code is issued on creation)."""
    return ManagerRead.model_validate(await service.upsert_profile(session, staff_id, data, _now()))


@router.get("/{staff_id}/invite-qr.png", response_class=Response)
async def invite_png(
    staff_id: str, session: SessionDep, settings: SettingsDep, principal: ManagerOrOpsDep
) -> Response:
    """The manager's invite QR code as PNG: it opens registration with the manager's code."""
    ensure_own_desk(principal, staff_id)
    url = service.invite_url(settings.registration_url, await service.get(session, staff_id))
    return Response(qr.png(url), media_type="image/png")


@router.get("/{staff_id}/invite-qr.svg", response_class=Response)
async def invite_svg(
    staff_id: str, session: SessionDep, settings: SettingsDep, principal: ManagerOrOpsDep
) -> Response:
    """The manager's invite QR code as SVG."""
    ensure_own_desk(principal, staff_id)
    url = service.invite_url(settings.registration_url, await service.get(session, staff_id))
    return Response(qr.svg(url), media_type="image/svg+xml")


@router.get("/{staff_id}/customers", response_model=Page[MemberRead])
async def customers(
    staff_id: str,
    session: SessionDep,
    principal: ManagerOrOpsDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MemberRead]:
    """The manager's customers with their tiers."""
    ensure_own_desk(principal, staff_id)
    members = await members_service.search(session, cursor=cursor, limit=limit, manager_id=staff_id)
    return members.page(lambda member: members_service.to_read(member, principal))


@router.get("/{staff_id}/visit-plan", response_model=list[PlanEntry])
async def visit_plan(staff_id: str, session: SessionDep, principal: ManagerOrOpsDep) -> list[PlanEntry]:
    """Star customers with the visits done this year; overdue and due first."""
    ensure_own_desk(principal, staff_id)
    return await service.visit_plan(session, staff_id, _now().date())


@router.get("/{staff_id}/tasks", response_model=list[TaskRead])
async def tasks(
    staff_id: str,
    session: SessionDep,
    principal: ManagerOrOpsDep,
    status: TaskStatus | None = "open",
    kind: TaskKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> list[TaskRead]:
    """The manager's tasks (post-claim callbacks, renewals due, win-backs, activity follow-ups,
    tier-downgrade warnings, star visits overdue) by due date, then priority, with the customer."""
    ensure_own_desk(principal, staff_id)
    return await service.tasks(session, staff_id, status, kind, limit)


@router.post(
    "/{staff_id}/registrations",
    status_code=202,
    response_model=ApplicationReceived,
    responses={202: {"model": ApplicationReceived}},
)
async def register_on_the_spot(
    staff_id: str,
    data: MemberCreate,
    session: SessionDep,
    pii: PiiDep,
    redis: RedisDep,
    settings: SettingsDep,
    principal: ManagerDep,
) -> JSONResponse:
    """A manager registers a customer on the spot, with the code sent to the customer's phone
    (``X-Phone-Proof``, as a self-registration): the application goes to verification like any other,
    with this manager as the inviting manager; the answer is the same whatever became of it."""
    ensure_own_desk(principal, staff_id)
    manager = await service.get(session, staff_id)
    if principal.verified_phone is None:
        raise PhoneNotProven(
            "prove the customer's phone first: POST /api/v1/auth/otp, then /auth/otp/verify with the code "
            "the customer reads out gives a phone_proof to send as X-Phone-Proof"
        )
    if data.phone != principal.verified_phone:
        raise InvalidField("phone", "is not the phone number proven by SMS code", "phone_not_proven")
    if data.openid is not None:
        raise InvalidField("openid", "the customer binds WeChat after joining", "openid_needs_proof")
    await limits.count_registration(
        redis,
        phone_hash=pii.lookup_hash(data.phone),
        id_hash=pii.lookup_hash(data.id_number),
        per_phone=settings.registrations_per_phone_day,
        per_id=settings.registrations_per_id_day,
    )
    body = data.model_copy(update={"manager_code": manager.invite_code, "referral_code": None})
    await members_service.apply(session, pii, body, principal.verified_phone, _now())
    return JSONResponse(ApplicationReceived().model_dump(), status_code=202)


@router.get("/{staff_id}/kpis", response_model=Kpi)
async def manager_kpis(
    staff_id: str, session: SessionDep, principal: ManagerOrOpsDep, since: Since = None, until: Until = None
) -> Kpi:
    """The manager's visits by kind against the plan, joins and renewal contacts for a period."""
    ensure_own_desk(principal, staff_id)
    start, end = _period(since, until)
    return (await service.kpis(session, [await service.get(session, staff_id)], start, end))[0]


@visits_router.post("", response_model=VisitRead, status_code=201)
async def record_visit(data: VisitCreate, session: SessionDep, principal: ManagerOrOpsDep) -> VisitRead:
    """Record a visit to one of the manager's customers (it may complete a follow-up task)."""
    return VisitRead.model_validate(await service.record_visit(session, principal, data, _now()))


@visits_router.get("", response_model=Page[VisitRead])
async def list_visits(
    session: SessionDep,
    principal: ManagerOrOpsDep,
    manager_id: str | None = None,
    member_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[VisitRead]:
    """Visits, newest first (a manager: their own)."""
    rows = await service.visits(
        session, manager_id=desk_of(principal, manager_id), member_id=member_id, cursor=cursor, limit=limit
    )
    return rows.page(VisitRead.model_validate)


@targets_router.get("", response_model=list[UnitTarget])
async def targets(
    session: SessionDep,
    _: ManagerOrOpsDep,
    # Years 1900–2999 only: year 0000 is no date at all, and 0001-01 or 9999-12 would need a month
    # before or after the calendar's ends (both were 500s).
    month: Annotated[str | None, Query(pattern=r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$")] = None,
) -> list[UnitTarget]:
    """Each unit's recruitment target (25% of last month's household-car commercial policies) and joins."""
    first = date.fromisoformat(f"{month}-01") if month else china_time.today().replace(day=1)
    return await service.targets(session, first)


@member_router.put("/manager", response_model=list[AssignmentRead])
async def assign(
    member_id: uuid.UUID, data: AssignmentCreate, session: SessionDep, principal: OpsDep
) -> list[AssignmentRead]:
    """Assign (or reassign) the member's manager; the history is kept."""
    member = await members_service.get_locked(session, member_id)
    await service.assign(
        session, member, data.manager_id, source="ops", by=principal.actor_id, reason=data.reason, now=_now()
    )
    return [AssignmentRead.model_validate(a) for a in await service.assignments(session, member_id)]


@member_router.get("/manager-history", response_model=list[AssignmentRead])
async def manager_history(
    member_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[AssignmentRead]:
    """Who looked after the member, newest first."""
    member = await members_service.visible(session, principal, member_id)
    ensure_staff_reads_history(principal, member_id)
    return [AssignmentRead.model_validate(a) for a in await service.assignments(session, member.id)]


@member_router.post("/corrections", response_model=CorrectionRead, status_code=201)
async def correct_member(
    member_id: uuid.UUID,
    data: CorrectionCreate,
    response: Response,
    session: SessionDep,
    pii: PiiDep,
    principal: ManagerOrOpsDep,
) -> CorrectionRead:
    """Correct a customer's phone, region or vehicles (the customer's manager, ops, admin), audited; a new
    phone needs the code sent to it (``X-Phone-Proof``), as for the member's own change, and the number
    it replaces is told by SMS (by the gateway, which takes it off the answer)."""
    member = await members_service.get_locked(session, member_id)
    correction, replaced = await service.correct(session, pii, principal, member, data, _now())
    if replaced is not None:
        response.headers[REPLACED_PHONE_HEADER] = replaced
    return CorrectionRead.model_validate(correction)


@member_router.get("/corrections", response_model=list[CorrectionRead])
async def member_corrections(
    member_id: uuid.UUID, session: SessionDep, principal: ManagerOrOpsDep
) -> list[CorrectionRead]:
    """Who corrected the member's contact details or vehicles, when, why and what (masked)."""
    await members_service.visible(session, principal, member_id)
    return [CorrectionRead.model_validate(c) for c in await service.corrections(session, member_id)]
