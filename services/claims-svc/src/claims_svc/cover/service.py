from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from cheyou_events.catalogue.member import MemberPolicyChanged
from cheyou_events.catalogue.policy import PolicyCancelled, PolicyEndorsed, PolicyIssued, PolicyRenewed
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.cover import repository
from claims_svc.cover.models import MemberPolicy, PolicyCover


async def record_policy(session: AsyncSession, event: PolicyIssued | PolicyRenewed) -> None:
    await repository.upsert(
        session,
        policy_no=event.policy_no,
        customer_no=event.customer_no,
        line=event.line.value,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        plate=normalise_plate(event.plate),
        vin=event.vin.upper() if event.vin else None,
        holder_id_hash=event.holder_id_hash,
    )


async def record_endorsement(session: AsyncSession, event: PolicyEndorsed) -> None:
    await repository.endorse(
        session,
        event.policy_no,
        plate=normalise_plate(event.plate),
        vin=event.vin.upper() if event.vin else None,
        ends_on=event.ends_on,
    )


async def record_cancellation(session: AsyncSession, event: PolicyCancelled) -> None:
    await repository.cancel(session, event.policy_no, event.cancelled_at)


async def record_member_policy(session: AsyncSession, event: MemberPolicyChanged) -> None:
    """Follow which member holds which policy (a replayed or late event changes nothing newer)."""
    await repository.upsert_member_policy(
        session,
        MemberPolicy(
            member_id=uuid.UUID(event.member_id),
            policy_no=event.policy_no,
            line=event.line,
            status=event.status,
            plate=normalise_plate(event.plate),
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            changed_at=event.changed_at,
        ),
    )


async def held_policy_nos(
    session: AsyncSession, member_id: uuid.UUID, *, policy_no: str | None, plate: str | None, at: datetime
) -> set[str]:
    """Which of the member's policies match the number or plate and were still theirs at ``at``."""
    return await repository.held_policy_nos(session, member_id, policy_no=policy_no, plate=plate, at=at)


async def covering(session: AsyncSession, customer_no: str, on: date) -> Sequence[PolicyCover]:
    """The customer's policies in force on a day (a cancelled policy covers nothing)."""
    return await repository.covering(session, customer_no, on)


async def motor_cover_at(
    session: AsyncSession, *, policy_no: str | None, plate: str | None, at: datetime, on: date
) -> Sequence[PolicyCover]:
    """Motor policies that covered the vehicle at the loss time (``on`` is its local date)."""
    return await repository.motor_cover_at(session, policy_no=policy_no, plate=plate, at=at, on=on)


def normalise_plate(plate: str | None) -> str | None:
    """Plates compare without spaces, dots or dashes, in upper case: ``闽A·12345`` = ``闽A12345``."""
    if plate is None:
        return None
    cleaned = "".join(ch for ch in plate if ch not in " ·.-").upper()
    return cleaned or None
