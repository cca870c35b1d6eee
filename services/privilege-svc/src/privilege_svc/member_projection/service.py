from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import (
    MemberContactChanged,
    MemberPolicyChanged,
    MemberProfileChanged,
    MemberRegistered,
    MemberVerified,
    TierChanged,
)
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.member_projection import repository
from privilege_svc.member_projection.models import MemberProfile, MemberTier


@dataclass(frozen=True, slots=True)
class TierMove:
    """A tier change the projection accepted: what the member held before and holds now."""

    member_id: str
    from_tier: Tier
    to_tier: Tier
    at: datetime


async def apply_tier_change(session: AsyncSession, event: TierChanged) -> TierMove | None:
    """Project the change; None when it is older than what we hold (nothing to announce)."""
    current = await repository.get(session, event.member_id)
    previous = Tier(current.tier) if current is not None else event.from_tier
    applied = await repository.set_tier(session, event.member_id, event.to_tier.value, event.changed_at)
    if not applied:
        return None
    return TierMove(event.member_id, previous, event.to_tier, event.changed_at)


async def get_tier(session: AsyncSession, member_id: str) -> MemberTier | None:
    return await repository.get(session, member_id)


async def project_tier(session: AsyncSession, member_id: str, tier: Tier, at: datetime) -> None:
    """Set the projected tier directly (imports of historical data; events go through apply_tier_change)."""
    await repository.set_tier(session, member_id, tier.value, at)


async def tier_and_year_anchor(session: AsyncSession, member_id: str) -> tuple[Tier, date | None] | None:
    """The member's tier and the day their privilege year runs from (quotas reset on its anniversary):
    the start of their current policy once member-svc announced one, else the day they first held a tier."""
    found = await repository.tier_and_year_anchor(session, member_id)
    return None if found is None else (Tier(found[0]), found[1])


async def tier_of(session: AsyncSession, member_id: str) -> Tier | None:
    tier = await repository.tier_of(session, member_id)
    return None if tier is None else Tier(tier)


async def apply_policy_change(session: AsyncSession, event: MemberPolicyChanged) -> bool:
    """Project the policy; False when it is older than what we hold."""
    policy = event.model_dump(include={"policy_no", "line", "status", "premium_fen", "starts_on", "ends_on"})
    return await repository.set_policy(session, event.member_id, policy, event.changed_at)


@dataclass(frozen=True, slots=True)
class Referral:
    """A verified member and the member who referred them: the referrer has points due."""

    referrer_id: str
    member_id: str
    verified_at: datetime


def _due(profile: MemberProfile) -> Referral | None:
    referrer = profile.referred_by_member_id
    if referrer is None or profile.verified_at is None or referrer == profile.member_id:
        return None
    return Referral(referrer, profile.member_id, profile.verified_at)


async def note_referral(session: AsyncSession, event: MemberRegistered) -> Referral | None:
    """Remember who referred the new member; the referral when the member is already verified."""
    if event.referred_by_member_id is None:
        return None
    return _due(await repository.record_referral(session, event.member_id, event.referred_by_member_id))


async def note_verified(session: AsyncSession, event: MemberVerified) -> Referral | None:
    """Remember the verification; the referral when someone referred the member.

    A verified member is a prospective customer until a policy lifts them: member-svc announces a tier
    change only when the tier moves, so a member verified without a policy would otherwise stay unknown
    here (no activities, no rewards). A tier already announced is kept, and a change announced later
    replaces the assumption whatever its date (a policy's tier is dated by the policy)."""
    await repository.know(session, event.member_id, Tier.PROSPECTIVE.value, event.verified_at.date())
    return _due(await repository.record_verified(session, event.member_id, event.verified_at))


async def apply_profile(session: AsyncSession, event: MemberProfileChanged) -> bool:
    return await repository.set_interests(session, event.member_id, event.interests, event.changed_at)


async def interests_of(session: AsyncSession, member_id: str) -> list[str]:
    return await repository.interests_of(session, member_id)


async def apply_contact(session: AsyncSession, event: MemberContactChanged) -> bool:
    """Keep the member's openid (the payer of a JSAPI payment); the phone is not needed here."""
    return await repository.set_openid(session, event.member_id, event.openid, event.changed_at)


async def openid_of(session: AsyncSession, member_id: str) -> str | None:
    return await repository.openid_of(session, member_id)
