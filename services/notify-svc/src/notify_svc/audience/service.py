from __future__ import annotations

from collections.abc import Sequence

from cheyou_events import sealing
from cheyou_events.catalogue.member import (
    ManagerAssigned,
    MemberContactChanged,
    MemberProfileChanged,
    MemberRegistered,
    TierChanged,
)
from cheyou_events.catalogue.privilege import ActivitySignedUp
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience import repository
from notify_svc.audience.models import Recipient
from notify_svc.audience.pii import PiiCipher


async def record_registration(session: AsyncSession, event: MemberRegistered) -> None:
    await repository.upsert(session, event.member_id, event.registered_at, join_channel=event.channel)


async def record_tier(session: AsyncSession, event: TierChanged) -> None:
    await repository.upsert(session, event.member_id, event.changed_at, tier=event.to_tier.value)


def contact_phone(event: MemberContactChanged) -> str | None:
    """The phone the event carries: sealed (``EVENTS_PII_KEY``), or in clear in events from before sealing."""
    if event.phone_sealed is not None:
        return sealing.unseal(event.phone_sealed, partition_key=event.member_id, field="phone")
    return event.phone or None


async def record_contact(session: AsyncSession, event: MemberContactChanged, cipher: PiiCipher) -> None:
    number = contact_phone(event)
    phone = cipher.encrypt_phone(number) if number else None
    await repository.upsert(
        session, event.member_id, event.changed_at, openid=event.openid, phone_encrypted=phone
    )


async def record_profile(session: AsyncSession, event: MemberProfileChanged) -> None:
    await repository.upsert(
        session,
        event.member_id,
        event.changed_at,
        gender=event.gender,
        birth_year=event.birth_year,
        region_code=event.region_code,
        interests=sorted(set(event.interests)),
        join_channel=event.join_channel,
        manager_id=event.manager_id,
    )


async def record_activity(session: AsyncSession, event: ActivitySignedUp) -> None:
    await repository.count_activity(session, event.member_id, event.signed_up_at)


async def get(session: AsyncSession, member_id: str) -> Recipient | None:
    return await repository.get(session, member_id)


async def many(session: AsyncSession, member_ids: Sequence[str]) -> dict[str, Recipient]:
    return {r.member_id: r for r in await repository.many(session, member_ids)}


def phone_of(recipient: Recipient | None, cipher: PiiCipher) -> str | None:
    if recipient is None or recipient.phone_encrypted is None:
        return None
    return cipher.decrypt_phone(recipient.phone_encrypted)


async def record_manager(session: AsyncSession, event: ManagerAssigned) -> None:
    """The member's customer manager: who may share publications with them."""
    await repository.upsert(session, event.member_id, event.assigned_at, manager_id=event.manager_id)
