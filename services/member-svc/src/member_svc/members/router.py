from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.auth import Principal, PrincipalDep, Role
from cheyou_kit.db import SessionDep
from cheyou_kit.errors import NotFound
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from member_svc import qr
from member_svc.auth import (
    AdminDep,
    CardReaderDep,
    RegistrarDep,
    SegmentsDep,
    ServiceDep,
    UnbinderDep,
    desk_of,
    ensure_can_change_member,
    ensure_can_unbind,
    is_applicant,
)
from member_svc.config import SettingsDep
from member_svc.dependencies import PiiDep, RedisDep
from member_svc.errors import InvalidField, PhoneNotProven
from member_svc.members import limits, service
from member_svc.members.schemas import (
    ApplicationReceived,
    CardCodeCheck,
    Gender,
    Identified,
    IdentifyRequest,
    Interest,
    JoinChannel,
    MemberCreate,
    MemberPii,
    MemberRead,
    MemberStatus,
    MemberUpdate,
    OpenidBinding,
    PhoneChange,
    PhoneChanged,
    PiiReadRecord,
    Tier,
)
from member_svc.pii import InvalidCardCode
from member_svc.verification import service as verification_service
from member_svc.verification.schemas import ApplicationStatus

router = APIRouter(prefix="/members", tags=["members"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.post(
    "",
    response_model=MemberRead,
    status_code=201,
    responses={202: {"model": ApplicationReceived, "description": "An applicant's registration."}},
)
async def register(
    data: MemberCreate,
    session: SessionDep,
    pii: PiiDep,
    redis: RedisDep,
    settings: SettingsDep,
    principal: RegistrarDep,
) -> MemberRead | JSONResponse:
    """Register (web, WeChat or a manager's invite code); the application enters the verification queue.

    An applicant (no account yet) must have proven the phone by SMS code at the gateway and gets the same
    202 answer whatever became of the application; staff get the member (201) or the conflict."""
    if is_applicant(principal):
        await _apply(data, session, pii, redis, settings, principal)
        return JSONResponse(ApplicationReceived().model_dump(), status_code=202)
    if data.openid is not None and principal.role != Role.SERVICE:
        raise InvalidField(
            "openid", "a WeChat account is bound only with its authorization code", "openid_needs_proof"
        )
    return service.to_read(await service.register(session, pii, data, _now()), principal)


async def _apply(
    data: MemberCreate,
    session: SessionDep,
    pii: PiiDep,
    redis: RedisDep,
    settings: SettingsDep,
    principal: Principal,
) -> None:
    if principal.verified_phone is None:
        raise PhoneNotProven(
            "prove the phone first: POST /api/v1/auth/otp, then /auth/otp/verify gives a phone_proof "
            "to send as X-Phone-Proof"
        )
    if data.phone != principal.verified_phone:
        raise InvalidField("phone", "is not the phone number proven by SMS code", "phone_not_proven")
    if data.openid is not None:
        raise InvalidField(
            "openid",
            "bind WeChat after joining, with an authorization code (POST /api/v1/auth/wechat-binding)",
            "openid_needs_proof",
        )
    await limits.count_registration(
        redis,
        phone_hash=pii.lookup_hash(data.phone),
        id_hash=pii.lookup_hash(data.id_number),
        per_phone=settings.registrations_per_phone_day,
        per_id=settings.registrations_per_id_day,
    )
    await service.apply(session, pii, data, principal.verified_phone, _now())


@router.post("/identify", response_model=Identified)
async def identify(data: IdentifyRequest, session: SessionDep, pii: PiiDep, _: ServiceDep) -> Identified:
    """Which member has this phone number or WeChat openid (for the gateway's login)."""
    member = await service.identify(session, pii, data)
    return Identified(member_id=member.id, status=member.status)


@router.post("/card-code-checks", response_model=Identified)
async def check_card_code(
    data: CardCodeCheck, session: SessionDep, pii: PiiDep, _: CardReaderDep
) -> Identified:
    """Whose member card was scanned (the code is signed and short-lived)."""
    try:
        member_id = pii.read_card_code(data.code)
    except (InvalidCardCode, ValueError) as exc:
        raise NotFound(f"not a valid member code: {exc}") from None
    member = await service.find(session, member_id)
    if member is None:
        raise NotFound("not a valid member code")
    return Identified(member_id=member.id, status=member.status)


@router.get("", response_model=Page[MemberRead])
async def search(
    session: SessionDep,
    principal: SegmentsDep,
    tier: Tier | None = None,
    status: MemberStatus | None = None,
    interest: Interest | None = None,
    gender: Gender | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,6}$")] = None,
    join_channel: JoinChannel | None = None,
    manager_id: str | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MemberRead]:
    """Members by tier, interests, gender, region, join route and manager (a manager: their own)."""
    members = await service.search(
        session,
        cursor=cursor,
        limit=limit,
        tier=tier,
        status=status,
        interest=interest,
        gender=gender,
        region_code=region_code,
        join_channel=join_channel,
        manager_id=desk_of(principal, manager_id),
    )
    return members.page(lambda member: service.to_read(member, principal))


@router.get("/{member_id}", response_model=MemberRead)
async def get_member(member_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> MemberRead:
    """The member, masked: for the member, their manager, reviewers, ops and admin."""
    return service.to_read(await service.visible(session, principal, member_id), principal)


@router.patch("/{member_id}", response_model=MemberRead)
async def update_member(
    member_id: uuid.UUID, data: MemberUpdate, session: SessionDep, pii: PiiDep, principal: PrincipalDep
) -> MemberRead:
    """Change phone, region, interests, vehicles (and name / ID while the application is returned)."""
    member = await service.visible(session, principal, member_id)
    ensure_can_change_member(principal)
    by_applicant = principal.role == Role.MEMBER
    updated = await service.update(session, pii, member, data, _now(), by_applicant=by_applicant)
    return service.to_read(updated, principal)


@router.get("/{member_id}/pii", response_model=MemberPii)
async def read_pii(
    member_id: uuid.UUID,
    session: SessionDep,
    pii: PiiDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Query(min_length=2, max_length=200)],
) -> MemberPii:
    """Full name, ID number and phone (admin, or the reviewer working the application); audited."""
    member = await service.visible(session, principal, member_id)
    return await service.read_pii(session, pii, principal, member, purpose)


@router.get("/{member_id}/pii-reads", response_model=list[PiiReadRecord])
async def pii_reads(member_id: uuid.UUID, session: SessionDep, _: AdminDep) -> list[PiiReadRecord]:
    """Who read this member's full data, when and why."""
    return [PiiReadRecord.model_validate(r) for r in await service.pii_reads(session, member_id)]


@router.put("/{member_id}/openid", response_model=MemberRead)
async def bind_openid(
    member_id: uuid.UUID, data: OpenidBinding, session: SessionDep, pii: PiiDep, gateway: ServiceDep
) -> MemberRead:
    """Bind a WeChat openid the gateway proved with an authorization code (one account per member)."""
    member = await service.get_locked(session, member_id)
    member = await service.bind_openid(session, pii, member, data.openid, _now())
    return service.to_read(member, gateway)


@router.delete("/{member_id}/openid", response_model=MemberRead)
async def unbind_openid(
    member_id: uuid.UUID, session: SessionDep, pii: PiiDep, principal: UnbinderDep
) -> MemberRead:
    """Unbind the member's WeChat account."""
    ensure_can_unbind(principal, member_id)
    member = await service.get_locked(session, member_id)
    return service.to_read(await service.unbind_openid(session, pii, member, _now()), principal)


@router.put("/{member_id}/phone", response_model=PhoneChanged)
async def change_phone(
    member_id: uuid.UUID, data: PhoneChange, session: SessionDep, pii: PiiDep, gateway: ServiceDep
) -> PhoneChanged:
    """A new sign-in phone the gateway proved with a code sent to it; the number it replaces is returned
    for the notice the gateway texts to it."""
    member = await service.get_locked(session, member_id)
    previous = await service.change_phone(session, pii, member, data.phone, _now())
    return PhoneChanged(member=service.to_read(member, gateway), previous_phone=previous)


@router.get("/{member_id}/card", response_class=Response)
async def member_card(
    member_id: uuid.UUID, session: SessionDep, pii: PiiDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """The member card's QR code (PNG) carrying a signed, short-lived member code."""
    member = await service.visible(session, principal, member_id)
    if member.status != "verified":
        raise NotFound("only a verified member has a member card")
    code = pii.card_code(member.id, settings.card_code_ttl_seconds)
    return Response(qr.card_png(code), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/{member_id}/referral-qr.png", response_class=Response)
async def referral_qr(
    member_id: uuid.UUID, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """A QR code (PNG) that opens registration with the member's referral code (verified members)."""
    member = await service.visible(session, principal, member_id)
    if member.referral_code is None:
        raise NotFound("only a verified member has a referral code")
    url = service.referral_url(settings.registration_url, member.referral_code)
    return Response(qr.png(url), media_type="image/png")


@router.get("/{member_id}/application", response_model=ApplicationStatus)
async def application(
    member_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ApplicationStatus:
    """Where the member's application is, and what to fix when it was returned."""
    member = await service.visible(session, principal, member_id)
    task = await verification_service.application_of(session, member.id)
    if task is None:
        raise NotFound("no application")
    return ApplicationStatus(status=task.status, fix_fields=list(task.fix_fields), message=task.message)
