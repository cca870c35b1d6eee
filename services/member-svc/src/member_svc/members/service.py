"""Members: registration, real-name data, WeChat binding, who may see whom, and the member's states.

States: ``invited`` (on an imported invitation list) → ``pending`` (registered, in the verification
queue) → ``verified`` or ``rejected``; ``needs_fix`` when a reviewer returns the application.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import urlencode

from cheyou_events.catalogue.member import MemberRegistered, MemberRejected, MemberVerified
from cheyou_kit.auth import Principal, Role
from cheyou_kit.errors import NotFound
from cheyou_kit.masking import mask_id_number, mask_name, mask_phone
from cheyou_kit.pagination import Slice
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.auth import ensure_can_read_pii, may_see_member
from member_svc.errors import (
    InvalidField,
    MemberExists,
    OpenidTaken,
    PhoneChangeNeedsProof,
    PhoneTaken,
    WrongState,
)
from member_svc.eventing import publish
from member_svc.identifiers import birth_date_of, gender_of
from member_svc.managers import service as managers_service
from member_svc.managers.models import ManagerProfile
from member_svc.members import events, repository
from member_svc.members.models import Member, PiiRead
from member_svc.members.schemas import (
    IdentifyRequest,
    JoinChannel,
    MemberCreate,
    MemberPii,
    MemberRead,
    MemberUpdate,
    VehicleIn,
    VehicleRead,
)
from member_svc.pii import PiiCipher
from member_svc.policies import events as policy_events
from member_svc.policies import service as policies_service
from member_svc.tiers import service as tiers_service
from member_svc.verification import service as verification_service


async def find(session: AsyncSession, member_id: uuid.UUID, *, for_update: bool = False) -> Member | None:
    """The member, or None; `for_update` locks the row until the transaction ends."""
    return await repository.get(session, member_id, for_update=for_update)


async def get_locked(session: AsyncSession, member_id: uuid.UUID) -> Member:
    """The member with its row locked for a change, or 404."""
    member = await repository.get(session, member_id, for_update=True)
    if member is None:
        raise NotFound(f"member {member_id} is not known")
    return member


async def search(
    session: AsyncSession,
    *,
    cursor: str | None,
    limit: int,
    tier: str | None = None,
    status: str | None = None,
    interest: str | None = None,
    gender: str | None = None,
    region_code: str | None = None,
    join_channel: str | None = None,
    manager_id: str | None = None,
) -> Slice[Member]:
    """A page of members by id, filtered by tier, interest, gender, region, join route and manager."""
    return await repository.search(
        session,
        cursor=cursor,
        limit=limit,
        tier=tier,
        status=status,
        interest=interest,
        gender=gender,
        region_code=region_code,
        join_channel=join_channel,
        manager_id=manager_id,
    )


async def count_by_tier_and_status(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(tier, status, members) for every pair that has members."""
    return await repository.count_by_tier_and_status(session)


async def joins_by_period(
    session: AsyncSession, period: str, since: date, until: date
) -> list[tuple[date, str, int, int]]:
    """(period start, join route, registrations, verified now) per period (China time) and route."""
    return await repository.joins_by_period(session, period, since, until)


async def pii_reads(session: AsyncSession, member_id: uuid.UUID) -> Sequence[PiiRead]:
    """Who read the member's full data, when and why."""
    return await repository.pii_reads(session, member_id)


async def visible(session: AsyncSession, principal: Principal, member_id: uuid.UUID) -> Member:
    """The member, if the caller may see them: themself, their manager, reviewers, ops, admin; else 404."""
    member = await repository.get(session, member_id)
    if member is None or not may_see_member(principal, member.id, member.manager_id):
        raise NotFound(f"member {member_id} is not known")
    return member


PROFILE_READERS = frozenset({Role.REVIEWER, Role.OPS, Role.ADMIN})
"""Who sees a member's birth year, gender and region — and therefore not the ID number's last four."""


def to_read(member: Member, viewer: Principal, *, full_read: bool = False) -> MemberRead:
    """The member as ``viewer`` may see them: the ID number's last four or the profile (birth year,
    gender, region), never both — together they narrow the number down to a few dozen candidates.
    ``full_read``: the viewer is reading the full data anyway (audited), and gets both."""
    profile = full_read or viewer.role in PROFILE_READERS
    last_four = full_read or viewer.role not in PROFILE_READERS
    return MemberRead(
        member_id=member.id,
        status=member.status,
        tier=member.tier,
        name_masked=member.name_masked,
        phone_masked=member.phone_masked,
        id_number_masked=member.id_number_masked if last_four else None,
        gender=member.gender if profile else None,
        birth_year=member.birth_date.year if profile else None,
        region_code=member.region_code if profile else None,
        interests=list(member.interests),
        needs=list(member.needs or []),
        join_channel=member.join_channel,
        manager_id=member.manager_id,
        referral_code=member.referral_code,
        referred_by_member_id=member.referred_by_member_id,
        wechat_bound=member.openid is not None,
        vehicles=[VehicleRead.model_validate(v) for v in member.vehicles],
        joined_at=member.joined_at,
        verified_at=member.verified_at,
    )


def _set_real_name(
    pii: PiiCipher, member: Member, name: str, id_number: str, *, contested: bool = False
) -> None:
    member.name_enc = pii.encrypt(member.id, "name", name)
    member.name_masked = mask_name(name)
    member.id_number_enc = pii.encrypt(member.id, "id_number", id_number)
    member.id_number_masked = mask_id_number(id_number)
    member.id_hash = _contested_id_hash(pii, member.id) if contested else pii.lookup_hash(id_number)
    member.birth_date = birth_date_of(id_number)
    member.gender = gender_of(id_number)


def _contested_id_hash(pii: PiiCipher, member_id: uuid.UUID) -> str:
    """The ``id_hash`` of a *contested* application: one whose ID number another member already holds.

    An applicant's registration with such a number is kept — as an application a reviewer rejects
    after phoning the insurer's number for the holder — rather than dropped: dropped, the applicant
    would find no application to sign in to (``POST /auth/phone-proof``, a second code), and that
    difference told them the number is a member's (security issue 17, Medium 3). The stand-in hash is
    unique (``id_hash`` is) and matches no policy; the number itself is sealed as for any application."""
    return pii.lookup_hash(f"contested-application:{member_id}")


def holder_id_hash(pii: PiiCipher, member: Member) -> str:
    """The keyed hash of the ID number the member gave — also for a contested application."""
    return pii.lookup_hash(pii.decrypt(member.id, "id_number", member.id_number_enc))


def is_contested(pii: PiiCipher, member: Member) -> bool:
    """Whether another member held the ID number when this application gave it."""
    return member.id_hash == _contested_id_hash(pii, member.id)


def _set_phone(pii: PiiCipher, member: Member, phone: str) -> None:
    member.phone_enc = pii.encrypt(member.id, "phone", phone)
    member.phone_masked = mask_phone(phone)
    member.phone_hash = pii.lookup_hash(phone)


def _set_vehicles(member: Member, vehicles: list[VehicleIn]) -> None:
    repository.replace_vehicles(member, [v.model_dump() for v in vehicles])


REFERRAL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand


def new_referral_code() -> str:
    return "R" + "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(8))


def referral_url(registration_url: str, code: str) -> str:
    return f"{registration_url}?{urlencode({'referral_code': code})}"


async def _referrer(session: AsyncSession, code: str | None) -> Member | None:
    """The verified member whose referral code this is (only verified members have one)."""
    if code is None:
        return None
    referrer = await repository.by_referral_code(session, code.strip().upper())
    if referrer is None:
        raise InvalidField("referral_code", "no member has this referral code", "unknown_referral_code")
    return referrer


async def _check_phone_free(
    session: AsyncSession, pii: PiiCipher, phone: str, member_id: uuid.UUID | None
) -> None:
    holder = await repository.by_phone_hash(session, pii.lookup_hash(phone))
    if holder is not None and holder.id != member_id:
        raise PhoneTaken("another member already uses this phone number", field="phone")


async def _check_openid_free(session: AsyncSession, openid: str, member_id: uuid.UUID | None) -> None:
    holder = await repository.by_openid(session, openid)
    if holder is not None and holder.id != member_id:
        raise OpenidTaken("this WeChat account is bound to another member", field="openid")


async def _registration_context(
    session: AsyncSession, data: MemberCreate, channel: JoinChannel | None
) -> tuple[ManagerProfile | None, JoinChannel, Member | None]:
    """What the application says besides the person, checked (nothing here depends on who is a member)."""
    if data.gender is not None and data.gender != gender_of(data.id_number):
        raise InvalidField("gender", "does not match the ID-card number")
    manager = None
    if data.manager_code is not None:
        manager = await managers_service.by_invite_code(session, data.manager_code)
        if manager is None or not manager.active:
            raise InvalidField(
                "manager_code", "no active manager has this invite code", "unknown_manager_code"
            )
    join_channel: JoinChannel = channel or ("manager_invite" if manager else data.channel)
    return manager, join_channel, await _referrer(session, data.referral_code)


async def register(
    session: AsyncSession,
    pii: PiiCipher,
    data: MemberCreate,
    now: datetime,
    *,
    channel: JoinChannel | None = None,
) -> Member:
    """Staff or a service register someone (or complete an invitation / a rejected application); the
    application enters the verification queue. Conflicts are told: the caller may see every member."""
    manager, join_channel, referrer = await _registration_context(session, data, channel)
    member = await repository.by_id_hash(session, pii.lookup_hash(data.id_number), for_update=True)
    if member is not None and member.status not in ("invited", "rejected"):
        raise MemberExists("a member with this ID-card number already exists", field="id_number")
    await _check_phone_free(session, pii, data.phone, member.id if member is not None else None)
    if data.openid is not None:
        await _check_openid_free(session, data.openid, member.id if member is not None else None)
    return await _open_application(session, pii, member, data, join_channel, manager, referrer, now)


async def apply(
    session: AsyncSession, pii: PiiCipher, data: MemberCreate, proven_phone: str, now: datetime
) -> Member | None:
    """An applicant's own registration, with a phone they proved by SMS code; the caller answers the
    same whatever became of it, and a stranger learns nothing about who is a member (security issue 17,
    Medium 3).

    An ID number another member holds makes a *contested* application (:func:`_contested_id_hash`):
    pending like any other, so the applicant signs in to it as to any other, and a reviewer — who sees
    the contest and phones the insurer's number for the holder — rejects it. An invitation is taken up
    only from the phone the invitation list gave; a rejected application may be made again. None only
    when the phone, which the applicant proved and so tells them nothing about anyone else, is another
    member's. The applicant's policies are not theirs before a reviewer verifies them."""
    manager, join_channel, referrer = await _registration_context(session, data, None)
    member = await repository.by_id_hash(session, pii.lookup_hash(data.id_number), for_update=True)
    contested = False
    if member is not None:
        invitation_taken_up = member.status == "invited" and member.phone_hash == pii.lookup_hash(
            proven_phone
        )
        if not (invitation_taken_up or member.status == "rejected"):
            member, contested = None, True
    holder = await repository.by_phone_hash(session, pii.lookup_hash(data.phone))
    if holder is not None and (member is None or holder.id != member.id):
        return None
    try:
        return await _open_application(
            session, pii, member, data, join_channel, manager, referrer, now, contested=contested
        )
    except MemberExists:
        return None


async def _open_application(
    session: AsyncSession,
    pii: PiiCipher,
    member: Member | None,
    data: MemberCreate,
    join_channel: JoinChannel,
    manager: ManagerProfile | None,
    referrer: Member | None,
    now: datetime,
    *,
    contested: bool = False,
) -> Member:
    if member is None:
        member = Member(id=uuid.uuid4(), join_channel=join_channel, joined_at=now, interests=[], vehicles=[])
    elif member.status == "rejected":
        member.join_channel = join_channel
        await policies_service.detach_member(session, member.id)
    _set_real_name(pii, member, data.name, data.id_number, contested=contested)
    _set_phone(pii, member, data.phone)
    member.status = "pending"
    member.region_code = data.region_code
    member.interests = list(data.interests)
    # A new application never inherits a WeChat binding: only the one proven for it now.
    member.openid = data.openid
    member.updated_at = now
    if manager is not None:
        member.invited_by_manager_id = manager.staff_id
        member.join_unit = manager.unit_code
    if referrer is not None:
        member.referred_by_member_id = referrer.id
    _set_vehicles(member, data.vehicles)
    try:
        async with session.begin_nested():
            await repository.add(session, member)
    except IntegrityError as exc:
        # A registration with the same ID, phone or openid committed between our checks and our insert.
        raise MemberExists(
            "a member with this ID-card number, phone or WeChat account already exists"
        ) from exc
    await verification_service.enqueue(session, member.id, now)
    registered = MemberRegistered(
        member_id=str(member.id),
        channel=join_channel,
        invited_by_manager_id=member.invited_by_manager_id,
        registered_at=now,
        referred_by_member_id=str(member.referred_by_member_id) if member.referred_by_member_id else None,
    )
    await publish(session, registered)
    return member


async def create_invited(
    session: AsyncSession,
    pii: PiiCipher,
    *,
    name: str,
    id_number: str,
    phone: str,
    region_code: str | None,
    vehicles: list[VehicleIn],
    manager_id: str | None,
    join_unit: str | None,
    now: datetime,
) -> Member | None:
    """An invitation from an imported list; None when the person is already known (re-runs add nothing).

    Raises ``PhoneTaken`` when another member has the phone number."""
    if await repository.by_id_hash(session, pii.lookup_hash(id_number)) is not None:
        return None
    if await repository.by_phone_hash(session, pii.lookup_hash(phone)) is not None:
        raise PhoneTaken("another member already uses this phone number", field="phone")
    member = Member(
        id=uuid.uuid4(), status="invited", join_channel="import", joined_at=now, interests=[], vehicles=[]
    )
    _set_real_name(pii, member, name, id_number)
    _set_phone(pii, member, phone)
    member.region_code = region_code
    member.invited_by_manager_id = manager_id
    member.join_unit = join_unit
    member.updated_at = now
    _set_vehicles(member, vehicles)
    try:
        async with session.begin_nested():
            await repository.add(session, member)
    except IntegrityError:
        return None
    return member


async def update(
    session: AsyncSession,
    pii: PiiCipher,
    member: Member,
    data: MemberUpdate,
    now: datetime,
    *,
    by_applicant: bool = False,
) -> Member:
    """Change what the member may change; a returned application goes back to the queue.

    Not the phone: it signs the member in, so it changes only with a code sent to the new number
    (:func:`change_phone`, called by the gateway once the code is right)."""
    if data.phone is not None:
        raise PhoneChangeNeedsProof(
            "the sign-in phone changes only with a code sent to the new number: "
            "POST /api/v1/auth/otp, then POST /api/v1/auth/phone-change"
        )
    if member.status == "rejected":
        raise WrongState("a rejected application cannot be changed; register again")
    if (data.name is not None or data.id_number is not None) and member.status not in (
        "needs_fix",
        "invited",
    ):
        raise WrongState("name and ID-card number can only be corrected while the application is returned")
    contact_before = (member.phone_hash, member.openid)
    profile_before = (member.region_code, list(member.interests))
    vehicles_before = events.vehicles_of(member)
    if data.id_number is not None:
        holder = await repository.by_id_hash(session, pii.lookup_hash(data.id_number))
        contested = holder is not None and holder.id != member.id
        if contested and not by_applicant:  # staff see every member: they are told
            raise MemberExists("a member with this ID-card number already exists", field="id_number")
        # The applicant is not: another member's number makes the application contested, as at
        # registration (a 409 would tell them whose number it is).
        name = data.name or pii.decrypt(member.id, "name", member.name_enc)
        _set_real_name(pii, member, name, data.id_number, contested=contested)
        # Whatever was linked under the old ID number is not this person's (verification links anew).
        await policies_service.detach_member(session, member.id)
    elif data.name is not None:
        id_number = pii.decrypt(member.id, "id_number", member.id_number_enc)
        _set_real_name(pii, member, data.name, id_number, contested=is_contested(pii, member))
    if data.region_code is not None:
        member.region_code = data.region_code
    if data.interests is not None:
        member.interests = list(data.interests)
    if data.vehicles is not None:
        _set_vehicles(member, data.vehicles)
    member.updated_at = now
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise MemberExists("the ID-card number or phone was taken by another member meanwhile") from exc
    if member.status == "needs_fix":
        member.status = "pending"
        await verification_service.requeue(session, member.id, now)
    if (member.phone_hash, member.openid) != contact_before:
        await events.contact_changed(session, pii, member, now)
    if (member.region_code, list(member.interests)) != profile_before:
        await events.profile_changed(session, member, now)
    if events.vehicles_of(member) != vehicles_before:
        await events.vehicles_changed(session, member, now)
    return member


async def change_phone(
    session: AsyncSession, pii: PiiCipher, member: Member, phone: str, now: datetime
) -> str:
    """The member's new sign-in phone, which the gateway has proven with a code sent to it; returns the
    number it replaces (the gateway tells its owner). A returned application goes back to the queue."""
    if member.status == "rejected":
        raise WrongState("a rejected application cannot be changed; register again")
    previous = pii.decrypt(member.id, "phone", member.phone_enc)
    if previous == phone:
        return previous
    await _check_phone_free(session, pii, phone, member.id)
    _set_phone(pii, member, phone)
    member.updated_at = now
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise PhoneTaken("another member took this phone number meanwhile", field="phone") from exc
    if member.status == "needs_fix":
        member.status = "pending"
        await verification_service.requeue(session, member.id, now)
    await events.contact_changed(session, pii, member, now)
    return previous


async def identify(session: AsyncSession, pii: PiiCipher, request: IdentifyRequest) -> Member:
    if request.phone is not None:
        member = await repository.by_phone_hash(session, pii.lookup_hash(request.phone))
    else:
        assert request.openid is not None
        member = await repository.by_openid(session, request.openid)
    if member is None:
        raise NotFound("no member has this phone number or WeChat account")
    return member


async def bind_openid(
    session: AsyncSession, pii: PiiCipher, member: Member, openid: str, now: datetime
) -> Member:
    """One WeChat account binds one member and a member one account; binding the same pair is a no-op."""
    if member.openid == openid:
        return member
    if member.openid is not None:
        raise OpenidTaken(
            "the member is already bound to another WeChat account; unbind it first", field="openid"
        )
    await _check_openid_free(session, openid, member.id)
    member.openid = openid
    member.updated_at = now
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise OpenidTaken(
            "this WeChat account was bound to another member meanwhile", field="openid"
        ) from exc
    await events.contact_changed(session, pii, member, now)
    return member


async def unbind_openid(session: AsyncSession, pii: PiiCipher, member: Member, now: datetime) -> Member:
    if member.openid is None:
        return member
    member.openid = None
    member.updated_at = now
    await session.flush()
    await events.contact_changed(session, pii, member, now)
    return member


async def read_pii(
    session: AsyncSession, pii: PiiCipher, principal: Principal, member: Member, purpose: str
) -> MemberPii:
    """The full values, for an admin or the reviewer working the member's task; the read is audited."""
    ensure_can_read_pii(
        principal,
        works_application=await verification_service.held_by(session, member.id, principal.actor_id),
    )
    await audit_pii_read(session, principal, member.id, purpose)
    return decrypt(pii, member)


def decrypt(pii: PiiCipher, member: Member) -> MemberPii:
    return MemberPii(
        member_id=member.id,
        name=pii.decrypt(member.id, "name", member.name_enc),
        id_number=pii.decrypt(member.id, "id_number", member.id_number_enc),
        phone=pii.decrypt(member.id, "phone", member.phone_enc),
    )


async def audit_pii_read(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, purpose: str
) -> None:
    await repository.record_pii_read(
        session,
        member_id=member_id,
        actor=principal.actor_id,
        role=principal.role.value,
        fields="name,id_number,phone",
        purpose=purpose,
    )


async def mark_verified(
    session: AsyncSession, pii: PiiCipher, member: Member, reviewer_id: str, now: datetime
) -> None:
    """Verification done: the member becomes reachable, may refer others, gets the inviting manager and a
    first tier; other services learn the member's contact, profile, vehicles and policies."""
    member.status = "verified"
    member.verified_at = now
    member.updated_at = now
    await _give_referral_code(session, member)
    verified = MemberVerified(member_id=str(member.id), reviewer_id=reviewer_id, verified_at=now)
    await publish(session, verified)
    if member.invited_by_manager_id is not None and member.manager_id is None:
        await managers_service.assign(
            session,
            member,
            member.invited_by_manager_id,
            source="invite",
            by=reviewer_id,
            reason=None,
            now=now,
        )
    await events.contact_changed(session, pii, member, now)
    await events.profile_changed(session, member, now)
    await events.vehicles_changed(session, member, now)
    await policies_service.link_to_member(session, member.id_hash, member.id)
    await policy_events.policies_held(session, member, now)
    await tiers_service.reevaluate(session, [member.id], reason="recalculation", now=now)


async def _give_referral_code(session: AsyncSession, member: Member) -> None:
    await session.flush()
    for _ in range(5):  # 31⁸ codes: a clash is rare, five in a row is a bug
        if member.referral_code is not None:
            return
        if await repository.set_referral_code(session, member.id, new_referral_code()):
            await session.refresh(member, ["referral_code"])
    raise RuntimeError("could not draw a free referral code")


async def mark_rejected(
    session: AsyncSession, member: Member, reviewer_id: str, reason: str, now: datetime
) -> None:
    member.status = "rejected"
    member.updated_at = now
    await session.flush()
    await policies_service.detach_member(session, member.id)
    rejected = MemberRejected(
        member_id=str(member.id), reviewer_id=reviewer_id, reason=reason, rejected_at=now
    )
    await publish(session, rejected)


async def mark_needs_fix(session: AsyncSession, member: Member, now: datetime) -> None:
    # Nothing to detach: policies are linked only at verification.
    member.status = "needs_fix"
    member.updated_at = now
    await session.flush()
