"""Sign-ups count seats under the activity row's lock; a freed seat goes to the waitlist in order; a
signed QR code checks the member in and earns attendance points once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import qrcode
import qrcode.image.svg
from cheyou_events.catalogue.privilege import ActivityAttended, ActivitySignedUp
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.activities import repository
from privilege_svc.activities.errors import (
    ActivityClosed,
    ActivityFull,
    ActivityNotFound,
    AlreadySignedUp,
    InvalidCheckInCode,
    NotCancellable,
    NotForInterests,
    NotForTier,
    SignupNotFound,
)
from privilege_svc.activities.models import Activity, ActivitySignup
from privilege_svc.activities.schemas import ActivityCreate, SignupCreate
from privilege_svc.entitlements import service as entitlements
from privilege_svc.eventing import publish
from privilege_svc.member_projection import service as members
from privilege_svc.points import service as points
from privilege_svc.points.errors import InsufficientPoints


async def create(session: AsyncSession, body: ActivityCreate, *, created_by: str) -> Activity:
    activity = Activity(
        id=uuid.uuid4(),
        title=body.title,
        kind=body.kind,
        description=body.description,
        place=body.place,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        signup_closes_at=body.signup_closes_at,
        capacity=body.capacity,
        target_tiers=[t.value for t in body.target_tiers],
        interests=body.interests,
        points_price=body.points_price,
        points_reward=body.points_reward,
        status="open",
        created_by=created_by,
        created_at=datetime.now(UTC),
    )
    await repository.add(session, activity)
    return activity


async def get(session: AsyncSession, activity_id: uuid.UUID, *, for_update: bool = False) -> Activity:
    activity = await repository.get(session, activity_id, for_update=for_update)
    if activity is None:
        raise ActivityNotFound(f"activity {activity_id} does not exist")
    return activity


@dataclass(frozen=True, slots=True)
class Audience:
    """Whom a member-facing list is for: activities that target no tier or this one, and no interest or
    one of these."""

    tier: str | None
    interests: list[str]


async def audience_of(session: AsyncSession, member_id: str) -> Audience:
    tier = await members.tier_of(session, member_id)
    return Audience(tier.value if tier else None, await members.interests_of(session, member_id))


def _for_tier(activity: Activity, tier: str | None) -> bool:
    return not activity.target_tiers or tier in activity.target_tiers


def _for_interests(activity: Activity, interests: list[str]) -> bool:
    return not activity.interests or bool(set(activity.interests) & set(interests))


def is_for(activity: Activity, audience: Audience) -> bool:
    return _for_tier(activity, audience.tier) and _for_interests(activity, audience.interests)


async def get_offered(session: AsyncSession, activity_id: uuid.UUID, member_id: str | None) -> Activity:
    """The activity as ``member_id`` sees it: only if it is aimed at them (anything else is "not found",
    like a missing one); with no member (staff), any activity."""
    activity = await get(session, activity_id)
    if member_id is not None and not is_for(activity, await audience_of(session, member_id)):
        raise ActivityNotFound(f"activity {activity_id} does not exist")
    return activity


async def list_activities(
    session: AsyncSession, *, audience: Audience | None, cursor: str | None, limit: int
) -> Slice[Activity]:
    """Every activity for staff (``audience`` None); for a member, the open ones aimed at them."""
    if audience is None:
        return await repository.list_activities(session, cursor=cursor, limit=limit)
    return await repository.list_activities(
        session,
        open_only=True,
        tier=audience.tier,
        interests=audience.interests,
        cursor=cursor,
        limit=limit,
    )


async def get_signup(session: AsyncSession, activity_id: uuid.UUID, signup_id: uuid.UUID) -> ActivitySignup:
    signup = await repository.get_signup(session, signup_id)
    if signup is None or signup.activity_id != activity_id:
        raise SignupNotFound(f"sign-up {signup_id} does not exist")
    return signup


async def _confirm(session: AsyncSession, activity: Activity, signup: ActivitySignup, now: datetime) -> None:
    """Take the seats: pay the points price (per person) and announce the sign-up."""
    if activity.points_price:
        entry = await points.debit(
            session,
            signup.member_id,
            activity.points_price * signup.party_size,
            "activity",
            source_key=f"activity_signup:{signup.id}",
            reference_id=str(signup.id),
            now=now,
        )
        signup.debit_entry_id = entry.id
    signup.status = "confirmed"
    signup.confirmed_at = now
    signup.updated_at = now
    await publish(
        session,
        ActivitySignedUp(
            signup_id=str(signup.id),
            activity_id=str(activity.id),
            member_id=signup.member_id,
            party_size=signup.party_size,
            signed_up_at=now,
        ),
    )


async def sign_up(
    session: AsyncSession,
    activity_id: uuid.UUID,
    member_id: str,
    body: SignupCreate,
    *,
    now: datetime | None = None,
) -> ActivitySignup:
    now = now or datetime.now(UTC)
    activity = await get(session, activity_id, for_update=True)
    closes = activity.signup_closes_at or activity.starts_at
    if activity.status != "open" or now >= closes:
        raise ActivityClosed(f"activity {activity.id} is closed for sign-ups")
    tier = await entitlements.member_tier(session, member_id)
    if not _for_tier(activity, tier.value):
        raise NotForTier(f"activity {activity.id} is for {', '.join(activity.target_tiers)} members")
    if not _for_interests(activity, await members.interests_of(session, member_id)):
        raise NotForInterests(
            f"activity {activity.id} is for members interested in {', '.join(activity.interests)}"
        )
    if await repository.active_signup(session, activity.id, member_id) is not None:
        raise AlreadySignedUp(f"member {member_id} already has a place at activity {activity.id}")
    free = activity.capacity - await repository.seats_taken(session, activity.id)
    if body.party_size > free and not body.join_waitlist:
        raise ActivityFull(f"{free} seats left, {body.party_size} asked", field="party_size")
    signup = ActivitySignup(
        id=uuid.uuid4(),
        activity_id=activity.id,
        member_id=member_id,
        party_size=body.party_size,
        status="waitlisted",
        created_at=now,
        updated_at=now,
    )
    if body.party_size <= free:
        await _confirm(session, activity, signup, now)
    await repository.add(session, signup)
    return signup


async def _promote(session: AsyncSession, activity: Activity, now: datetime) -> None:
    """Give freed seats to the waitlist in order; a party that does not fit (or cannot pay) waits on."""
    free = activity.capacity - await repository.seats_taken(session, activity.id)
    for queued in await repository.waitlist(session, activity.id):
        if free <= 0:
            break
        if queued.party_size > free:
            continue
        try:
            await _confirm(session, activity, queued, now)
        except InsufficientPoints:
            continue
        free -= queued.party_size
    await session.flush()


async def cancel_signup(
    session: AsyncSession, signup: ActivitySignup, *, now: datetime | None = None
) -> ActivitySignup:
    """Give the place up: points paid come back and the waitlist moves up."""
    now = now or datetime.now(UTC)
    activity = await get(session, signup.activity_id, for_update=True)
    if signup.status not in ("confirmed", "waitlisted"):
        raise NotCancellable(f"sign-up {signup.id} is {signup.status}")
    had_seats = signup.status == "confirmed"
    if signup.debit_entry_id is not None:
        await points.reverse(session, signup.debit_entry_id, "reversal", now=now)
    signup.status = "cancelled"
    signup.updated_at = now
    await session.flush()
    if had_seats and activity.status == "open":
        await _promote(session, activity, now)
    return signup


def _signature(secret: str, activity_id: uuid.UUID, signup_id: uuid.UUID) -> str:
    digest = hmac.new(secret.encode(), f"{activity_id}:{signup_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def check_in_code(secret: str, signup: ActivitySignup) -> str:
    """What the member's QR code carries: the sign-up id and an HMAC that only this service can make."""
    return f"{signup.id}.{_signature(secret, signup.activity_id, signup.id)}"


def qr_svg(code: str) -> str:
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


async def check_in(
    session: AsyncSession, activity_id: uuid.UUID, code: str, *, secret: str, now: datetime | None = None
) -> ActivitySignup:
    """Scan a member's QR code at the door: attendance recorded once, attendance points awarded once."""
    now = now or datetime.now(UTC)
    raw_id, _, signature = code.partition(".")
    try:
        signup_id = uuid.UUID(raw_id)
    except ValueError:
        raise InvalidCheckInCode("code: not a check-in code", field="code") from None
    if not hmac.compare_digest(signature, _signature(secret, activity_id, signup_id)):
        raise InvalidCheckInCode("code: not a check-in code for this activity", field="code")
    activity = await get(session, activity_id, for_update=True)
    signup = await get_signup(session, activity_id, signup_id)
    if signup.status == "attended":
        return signup
    if signup.status != "confirmed":
        raise InvalidCheckInCode(f"code: the sign-up is {signup.status}", field="code")
    signup.status = "attended"
    signup.checked_in_at = now
    signup.updated_at = now
    await session.flush()
    # The member's manager follows up after an activity (member-svc makes the task from this).
    attended = ActivityAttended(
        signup_id=str(signup.id),
        activity_id=str(activity.id),
        member_id=str(signup.member_id),
        activity_title=activity.title,
        attended_at=now,
    )
    await publish(session, attended)
    await points.award(
        session,
        "activity_attendance",
        signup.member_id,
        f"attendance:{signup.id}",
        points=activity.points_reward,
        reference_id=str(activity.id),
        now=now,
    )
    return signup


async def list_signups(
    session: AsyncSession, activity_id: uuid.UUID, cursor: str | None, limit: int
) -> Slice[ActivitySignup]:
    await get(session, activity_id)
    return await repository.list_signups(session, activity_id, cursor, limit)


async def stats(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[Activity, int, int, int, int]]:
    return await repository.stats(session, since, until)
