"""Member events (``member.events``): registration, verification, tiers, customer managers."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    referred_by_member_id: Id | None = None
    """The existing member who referred this one (referral points are credited on verification)."""


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

    Carries the full current contact: ``None`` means the member has no such contact now. The phone
    travels sealed (``phone_sealed``), never in clear.
    """

    event_type: ClassVar[str] = "cheyou.member.contact_changed.v1"

    member_id: Id
    openid: str | None = None
    phone: str | None = None
    """Deprecated: always ``None`` from now on (the phone is in ``phone_sealed``). Kept for compatibility;
    consumers fall back to it only for events produced before the change."""
    changed_at: AwareDatetime
    phone_sealed: str | None = None
    """The phone sealed with ``cheyou_events.sealing`` (``EVENTS_PII_KEY``), bound to ``member_id`` and the
    field name ``"phone"``: ``unseal(phone_sealed, partition_key=member_id, field="phone")``."""


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
    needs: list[str] = Field(default_factory=list)
    """Services the member said they want (征集令 answers), e.g. ``car_wash``, ``self_drive_tours``."""


class MemberPolicyChanged(MemberEvent):
    """One of the member's policies changed in the core system, keyed by member (the core feed is not).

    Emitted by member-svc after it projected a ``core.policy.events`` event onto a member, so other
    services can follow a member's policies without knowing customer numbers or ID hashes:
    privilege-svc credits renewal points, notify-svc schedules renewal reminders from ``ends_on``.
    """

    event_type: ClassVar[str] = "cheyou.member.policy_changed.v1"

    member_id: Id
    policy_no: Id
    change: Literal["issued", "renewed", "endorsed", "cancelled", "lapsed"]
    line: Literal["commercial", "compulsory", "non_motor"]
    status: Literal["active", "cancelled", "lapsed"]
    premium_fen: Fen
    starts_on: date
    ends_on: date
    plate: str | None = None
    previous_policy_no: Id | None = None
    """With ``change == "renewed"``: the policy this one continues."""
    changed_at: AwareDatetime
    restated: bool = False
    """True when nothing changed now: member-svc restates a policy the member already held when they were
    verified (``change`` is then the policy's last known change). Credit no renewal points for it."""


class Vehicle(BaseModel):
    """A member's vehicle as other services need it (plates are not personal data here; VINs stay home)."""

    model_config = ConfigDict(frozen=True)

    plate: str
    registered_on: date | None = None
    """The vehicle's first registration date (行驶证注册日期); annual inspections are due from it."""
    kind: Literal["household_car", "commercial_vehicle", "motorcycle", "other"] = "household_car"


class MemberVehiclesChanged(MemberEvent):
    """The member's vehicles changed (also emitted once on verification). Carries the full current list."""

    event_type: ClassVar[str] = "cheyou.member.vehicles_changed.v1"

    member_id: Id
    vehicles: list[Vehicle]
    changed_at: AwareDatetime


class TierDowngradeScheduled(MemberEvent):
    """The member's contribution fell below their tier: a lower tier applies on ``effective_on`` unless it
    recovers before then (warn the member; ``contribution_needed_fen`` more keeps the tier)."""

    event_type: ClassVar[str] = "cheyou.member.tier_downgrade_scheduled.v1"

    member_id: Id
    from_tier: Tier
    to_tier: Tier
    contribution_fen: Fen
    contribution_needed_fen: Fen | None = None
    """How much more contribution keeps ``from_tier``; None when only an active policy keeps it."""
    effective_on: date
    scheduled_at: AwareDatetime


class MemberInvited(MemberEvent):
    """Someone on an imported invitation list, with a recorded consent basis, is to be invited to join.

    notify-svc sends the invitation (SMS, and WeChat where ``openid`` is known) and its reminders without
    reading member-svc's database: everything it needs is here. The phone and the personal invitation
    token travel sealed (``cheyou_events.sealing``, bound to ``member_id`` and the field name); the
    token opens the H5 join page with the inviting manager and unsubscribes from the invitation.
    """

    event_type: ClassVar[str] = "cheyou.member.invited.v1"

    member_id: Id
    invitation_list_id: Id
    """The import run (``invitation_imports.id``) the person came from: conversion is counted per list."""
    manager_id: Id | None = None
    manager_name: str | None = None
    """The inviting manager's display name, said in the message."""
    manager_code: str | None = None
    """The inviting manager's invite code: the join link carries it, so the manager is prefilled."""
    consent_basis: Literal["written", "online", "recorded_call", "policy_form"]
    """How the person agreed to be contacted (per row of the list)."""
    phone_sealed: str
    """``unseal(phone_sealed, partition_key=member_id, field="phone")``."""
    openid: str | None = None
    """The person's openid on the club's WeChat account when the list knows it (a follower)."""
    token_sealed: str
    """The personal invitation token: ``unseal(token_sealed, partition_key=member_id, field="token")``."""
    join_url: str
    """The join page with the manager's code (``…/h5/join?manager_code=…``); the token is appended."""
    invited_at: AwareDatetime
