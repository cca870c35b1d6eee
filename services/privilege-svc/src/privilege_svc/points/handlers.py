"""Kafka entry points that earn points (each credit is keyed by the event that earned it)."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import MemberPolicyChanged, MemberRegistered, MemberVerified
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.eventing import Context
from privilege_svc.member_projection import service as members
from privilege_svc.member_projection.service import Referral
from privilege_svc.points import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(MemberVerified)
async def on_member_verified(ctx: Context, event: Envelope[MemberVerified]) -> None:
    """Welcome points for the member and, when someone referred them, referral points for the referrer:
    each once per member whatever the number of deliveries."""
    member_id = event.data.member_id
    await service.award(ctx.session, "welcome", member_id, f"welcome:{member_id}", now=event.data.verified_at)
    await _credit_referral(ctx.session, await members.note_verified(ctx.session, event.data))


@subscriptions.on(MemberRegistered)
async def on_member_registered(ctx: Context, event: Envelope[MemberRegistered]) -> None:
    """Remember the referrer; they earn when the new member is verified (at once if that came first)."""
    await _credit_referral(ctx.session, await members.note_referral(ctx.session, event.data))


async def _credit_referral(session: AsyncSession, referral: Referral | None) -> None:
    if referral is None:
        return
    await service.award(
        session,
        "referral",
        referral.referrer_id,
        f"referral:{referral.member_id}",
        reference_id=referral.member_id,
        now=referral.verified_at,
    )


@subscriptions.on(MemberPolicyChanged)
async def on_policy_changed(ctx: Context, event: Envelope[MemberPolicyChanged]) -> None:
    """Project the policy (the privilege year follows it); a renewal earns points by its premium, once
    per policy."""
    policy = event.data
    await members.apply_policy_change(ctx.session, policy)
    if policy.change == "renewed" and not policy.restated:  # restated: renewed before they joined
        await service.award(
            ctx.session,
            "policy_renewal",
            policy.member_id,
            f"policy_renewal:{policy.policy_no}",
            amount_fen=policy.premium_fen,
            reference_id=policy.policy_no,
            now=policy.changed_at,
        )
