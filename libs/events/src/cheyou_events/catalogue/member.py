"""Member events (``member.events``): registration, verification, tiers, customer managers."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id, Tier
from cheyou_events.event import Event


class MemberEvent(Event):
    topic: ClassVar[str] = "member.events"


class MemberRegistered(MemberEvent):
    """Someone registered; the member awaits phone verification by a reviewer."""

    event_type: ClassVar[str] = "cheyou.member.registered.v1"

    member_id: Id
    channel: Literal["wechat", "web", "manager_invite"]
    invited_by_manager_id: Id | None = None
    registered_at: AwareDatetime


class MemberVerified(MemberEvent):
    """A reviewer verified the member's phone and identity."""

    event_type: ClassVar[str] = "cheyou.member.verified.v1"

    member_id: Id
    reviewer_id: Id
    verified_at: AwareDatetime


class MemberRejected(MemberEvent):
    """A reviewer rejected the registration."""

    event_type: ClassVar[str] = "cheyou.member.rejected.v1"

    member_id: Id
    reviewer_id: Id
    reason: str
    rejected_at: AwareDatetime


class TierChanged(MemberEvent):
    """The member's tier was recomputed to a different tier."""

    event_type: ClassVar[str] = "cheyou.member.tier_changed.v1"

    member_id: Id
    from_tier: Tier
    to_tier: Tier
    contribution_fen: Fen
    reason: Literal["policy_issued", "policy_renewed", "policy_cancelled", "recalculation", "manual"]
    changed_at: AwareDatetime


class ManagerAssigned(MemberEvent):
    """A customer manager was assigned to the member."""

    event_type: ClassVar[str] = "cheyou.member.manager_assigned.v1"

    member_id: Id
    manager_id: Id
    previous_manager_id: Id | None = None
    assigned_at: AwareDatetime
