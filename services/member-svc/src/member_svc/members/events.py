"""The member's state as other services keep it: contact, profile and vehicles, each as it is now.

Only verified members are announced; each event is also emitted once on verification.
"""

from __future__ import annotations

from datetime import datetime

from cheyou_events import sealing
from cheyou_events.catalogue.member import (
    MemberContactChanged,
    MemberProfileChanged,
    MemberVehiclesChanged,
    Vehicle,
)
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.eventing import publish
from member_svc.members.models import Member
from member_svc.pii import PiiCipher


async def contact_changed(session: AsyncSession, pii: PiiCipher, member: Member, now: datetime) -> None:
    """Only verified members are reachable; earlier changes are carried by the event on verification.

    The phone travels sealed under ``EVENTS_PII_KEY`` (never in clear in the outbox or on the topic).
    """
    if member.status != "verified":
        return
    member_id = str(member.id)
    phone = pii.decrypt(member.id, "phone", member.phone_enc)
    payload = MemberContactChanged(
        member_id=member_id,
        openid=member.openid,
        phone_sealed=sealing.seal(phone, partition_key=member_id, field="phone"),
        changed_at=now,
    )
    await publish(session, payload)


async def profile_changed(session: AsyncSession, member: Member, now: datetime) -> None:
    if member.status != "verified":
        return
    payload = MemberProfileChanged(
        member_id=str(member.id),
        gender="male" if member.gender == "male" else "female",
        birth_year=member.birth_date.year,
        region_code=member.region_code,
        interests=list(member.interests),
        needs=list(member.needs or []),
        join_channel=member.join_channel,
        manager_id=member.manager_id,
        changed_at=now,
    )
    await publish(session, payload)


def vehicles_of(member: Member) -> list[Vehicle]:
    """The vehicles as the event carries them (VINs stay in member-svc)."""
    return [
        Vehicle.model_validate({"plate": v.plate, "registered_on": v.registered_on, "kind": v.kind})
        for v in sorted(member.vehicles, key=lambda v: v.plate)
    ]


async def vehicles_changed(session: AsyncSession, member: Member, now: datetime) -> None:
    if member.status != "verified":
        return
    payload = MemberVehiclesChanged(member_id=str(member.id), vehicles=vehicles_of(member), changed_at=now)
    await publish(session, payload)
