from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.errors import BadRequest
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Depends, Query, status

from privilege_svc.activities import service
from privilege_svc.activities.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityStatsRead,
    CheckInCreate,
    QrRead,
    SignupCreate,
    SignupRead,
    StatsRead,
)
from privilege_svc.auth import (
    Operator,
    StaffReaderOnly,
    acting_member,
    ensure_can_cancel_signup,
    ensure_can_read_member,
    viewing_member,
)
from privilege_svc.config import SettingsDep

router = APIRouter(prefix="/activities", tags=["activities"])


async def qr_secret(settings: SettingsDep) -> str:
    return str(settings.qr_secret)


QrSecret = Annotated[str, Depends(qr_secret)]


@router.post("", response_model=ActivityRead, status_code=status.HTTP_201_CREATED)
async def create_activity(body: ActivityCreate, session: SessionDep, principal: Operator) -> ActivityRead:
    """Ops: a new activity (time, place, capacity, tier and interest targeting, points)."""
    return ActivityRead.model_validate(await service.create(session, body, created_by=principal.actor_id))


@router.get("", response_model=Page[ActivityRead])
async def list_activities(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[ActivityRead]:
    """Activities, newest first (a member sees the open ones aimed at their tier and interests)."""
    member_id = viewing_member(principal)
    audience = None if member_id is None else await service.audience_of(session, member_id)
    rows = await service.list_activities(session, audience=audience, cursor=cursor, limit=limit)
    return rows.page(ActivityRead.model_validate)


@router.get("/stats", response_model=StatsRead, dependencies=[StaffReaderOnly])
async def participation_stats(
    session: SessionDep,
    since: Annotated[datetime, Query(alias="from")],
    until: Annotated[datetime, Query(alias="to")],
) -> StatsRead:
    """Participation per activity starting in [from, to)."""
    if until <= since:
        raise BadRequest("to: must be after from", field="to")
    rows = await service.stats(session, since, until)
    return StatsRead(
        since=since,
        until=until,
        activities=[
            ActivityStatsRead(
                activity_id=a.id,
                title=a.title,
                kind=a.kind,
                starts_at=a.starts_at,
                capacity=a.capacity,
                seats_taken=taken,
                waitlisted=waitlisted,
                attended_people=attended,
                cancelled=cancelled,
            )
            for a, taken, waitlisted, attended, cancelled in rows
        ],
        participations=sum(attended for _, _, _, attended, _ in rows),
    )


@router.get("/{activity_id}", response_model=ActivityRead)
async def get_activity(activity_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ActivityRead:
    """One activity (a member sees only those aimed at them)."""
    return ActivityRead.model_validate(
        await service.get_offered(session, activity_id, viewing_member(principal))
    )


@router.post("/{activity_id}/signups", response_model=SignupRead, status_code=status.HTTP_201_CREATED)
async def sign_up(
    activity_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, body: SignupCreate | None = None
) -> SignupRead:
    """The member signs up (or joins the waitlist when full and ``join_waitlist`` is set)."""
    signup = await service.sign_up(session, activity_id, acting_member(principal), body or SignupCreate())
    return SignupRead.model_validate(signup)


@router.get(
    "/{activity_id}/signups",
    response_model=Page[SignupRead],
    dependencies=[StaffReaderOnly],
)
async def list_signups(
    activity_id: uuid.UUID,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[SignupRead]:
    """Staff: who signed up, newest first."""
    rows = await service.list_signups(session, activity_id, cursor, limit)
    return rows.page(SignupRead.model_validate)


@router.post("/{activity_id}/signups/{signup_id}/cancel", response_model=SignupRead)
async def cancel_signup(
    activity_id: uuid.UUID, signup_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> SignupRead:
    """Give up a place (the member, or ops); the first on the waitlist who fits moves up."""
    signup = await service.get_signup(session, activity_id, signup_id)
    ensure_can_cancel_signup(principal, signup.member_id)
    return SignupRead.model_validate(await service.cancel_signup(session, signup))


@router.get("/{activity_id}/signups/{signup_id}/qr", response_model=QrRead)
async def signup_qr(
    activity_id: uuid.UUID,
    signup_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    secret: QrSecret,
) -> QrRead:
    """The member's check-in QR code for this activity."""
    signup = await service.get_signup(session, activity_id, signup_id)
    ensure_can_read_member(principal, signup.member_id)
    code = service.check_in_code(secret, signup)
    return QrRead(code=code, svg=service.qr_svg(code))


@router.post(
    "/{activity_id}/check-ins",
    response_model=SignupRead,
    dependencies=[StaffReaderOnly],
)
async def check_in(
    activity_id: uuid.UUID, body: CheckInCreate, session: SessionDep, secret: QrSecret
) -> SignupRead:
    """Staff scan a member's QR code at the door; attendance points are awarded once."""
    return SignupRead.model_validate(await service.check_in(session, activity_id, body.code, secret=secret))
