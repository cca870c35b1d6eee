"""``member.policy_changed``: the core feed's policy changes, keyed by member, for verified members.

Only verified members are announced (like contact and profile): a member's earlier policies, linked
while they registered or waited for verification, are announced once when they are verified.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from cheyou_events.catalogue.member import MemberPolicyChanged
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.eventing import publish
from member_svc.members.models import Member
from member_svc.policies import repository
from member_svc.policies.models import Policy

Change = Literal["issued", "renewed", "endorsed", "cancelled", "lapsed"]


def _payload(
    member: Member, policy: Policy, change: Change, at: datetime, *, restated: bool = False
) -> MemberPolicyChanged:
    return MemberPolicyChanged.model_validate(
        {
            "member_id": str(member.id),
            "policy_no": policy.policy_no,
            "change": change,
            "line": policy.line,
            "status": policy.status,
            "premium_fen": policy.premium_fen,
            "starts_on": policy.starts_on,
            "ends_on": policy.ends_on,
            "plate": policy.plate,
            "previous_policy_no": policy.previous_policy_no,
            "changed_at": at,
            "restated": restated,
        }
    )


async def policy_changed(
    session: AsyncSession, member: Member, policy_no: str, change: Change, at: datetime
) -> None:
    """The policy as it is now (after the change), for a verified member."""
    if member.status != "verified":
        return
    policy = await repository.current(session, policy_no)
    if policy is None or policy.member_id != member.id:
        return  # a cancellation or lapse of a policy the core system never told us about
    await publish(session, _payload(member, policy, change, at))


def last_change(policy: Policy) -> Change:
    """What the feed last did to a policy, as far as its row tells (an endorsement leaves no trace)."""
    if policy.status in ("cancelled", "lapsed"):
        return "cancelled" if policy.status == "cancelled" else "lapsed"
    return "renewed" if policy.previous_policy_no is not None else "issued"


async def policies_held(session: AsyncSession, member: Member, at: datetime) -> None:
    """On verification: one event per policy the member already holds, so other services learn them
    (``restated``: no renewal points for what happened before)."""
    policies = await repository.for_member(session, member.id)
    await publish(session, *[_payload(member, p, last_change(p), at, restated=True) for p in policies])
