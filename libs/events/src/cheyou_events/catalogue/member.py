"""Member events (``member.events``): registration, verification, tiers, customer managers."""

from __future__ import annotations

from datetime import date
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
    channel: Literal["wechat", "web", "manager_invite", "import"]
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
    reason: Literal[
        "policy_issued",
        "policy_renewed",
        "policy_cancelled",
        "recalculation",
        "manual",
        "policy_endorsed",
        "policy_lapsed",
        "claim_settled",
    ]
    changed_at: AwareDatetime
    effective_on: date | None = None
    """The day the new tier takes effect (upgrades: at once; downgrades: the evaluation date)."""


class ManagerAssigned(MemberEvent):
    """A customer manager was assigned to the member."""

    event_type: ClassVar[str] = "cheyou.member.manager_assigned.v1"

    member_id: Id
    manager_id: Id
    previous_manager_id: Id | None = None
    assigned_at: AwareDatetime


class MemberContactChanged(MemberEvent):
    """A verified member's WeChat binding or phone changed (also emitted once on verification).

    Carries the full current contact: ``None`` means the member has no such contact now.
    """

    event_type: ClassVar[str] = "cheyou.member.contact_changed.v1"

    member_id: Id
    openid: str | None = None
    phone: str | None = None
    changed_at: AwareDatetime


class MemberProfileChanged(MemberEvent):
    """The member's segmentation profile changed (also emitted once on verification)."""

    event_type: ClassVar[str] = "cheyou.member.profile_changed.v1"

    member_id: Id
    gender: Literal["male", "female"] | None = None
    birth_year: int | None = None
    region_code: str | None = None
    interests: list[str]
    join_channel: str
    manager_id: str | None = None
    changed_at: AwareDatetime
