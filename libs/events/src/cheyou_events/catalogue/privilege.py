"""Privilege events (``privilege.events``): entitlements, service orders, points, ratings, activities."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cheyou_events.catalogue.fields import Fen, Id, Points, Tier
from cheyou_events.event import Event


class PrivilegeEvent(Event):
    topic: ClassVar[str] = "privilege.events"


class Entitlement(BaseModel):
    """One privilege a tier grants, with its quota for the period."""

    model_config = ConfigDict(frozen=True)

    privilege_id: Id
    quota: Annotated[int, Field(ge=0)]
    period: Literal["year", "month", "once"]
    price_fen: Fen


class EntitlementsChanged(PrivilegeEvent):
    """The member's privileges and quotas were recomputed (usually after a tier change)."""

    event_type: ClassVar[str] = "cheyou.privilege.entitlements_changed.v1"

    member_id: Id
    tier: Tier
    entitlements: list[Entitlement]
    changed_at: AwareDatetime


class PrivilegeOrderRequested(PrivilegeEvent):
    """A member booked a privilege; points (if any) are held until the order closes or is cancelled."""

    event_type: ClassVar[str] = "cheyou.privilege.order_requested.v1"

    order_id: Id
    member_id: Id
    privilege_id: Id
    price_fen: Fen
    points_held: Points
    city_code: Id
    appointment_at: AwareDatetime | None = None
    requested_at: AwareDatetime


class PrivilegeOrderCancelled(PrivilegeEvent):
    """A service order was cancelled; held points are released."""

    event_type: ClassVar[str] = "cheyou.privilege.order_cancelled.v1"

    order_id: Id
    member_id: Id
    cancelled_by: Literal["member", "merchant", "ops", "system"]
    reason: str
    cancelled_at: AwareDatetime


class PrivilegeOrderClosed(PrivilegeEvent):
    """A completed service order was closed: quota consumed, points awarded."""

    event_type: ClassVar[str] = "cheyou.privilege.order_closed.v1"

    order_id: Id
    member_id: Id
    merchant_id: Id
    points_awarded: Points
    closed_at: AwareDatetime


PointsReason = Literal[
    "order_reward", "order_payment", "order_release", "activity", "redemption", "expiry", "adjustment"
]


class PointsCredited(PrivilegeEvent):
    """Points were added to the member's balance."""

    event_type: ClassVar[str] = "cheyou.privilege.points_credited.v1"

    member_id: Id
    entry_id: Id
    points: Points
    balance_after: Points
    reason: PointsReason
    reference_id: Id | None = None
    expires_at: AwareDatetime | None = None
    credited_at: AwareDatetime


class PointsDebited(PrivilegeEvent):
    """Points were taken from the member's balance (redemption, payment, expiry)."""

    event_type: ClassVar[str] = "cheyou.privilege.points_debited.v1"

    member_id: Id
    entry_id: Id
    points: Points
    balance_after: Points
    reason: PointsReason
    reference_id: Id | None = None
    debited_at: AwareDatetime


class PrivilegeOrderRated(PrivilegeEvent):
    """The member rated a closed service order."""

    event_type: ClassVar[str] = "cheyou.privilege.order_rated.v1"

    order_id: Id
    member_id: Id
    merchant_id: Id
    stars: Annotated[int, Field(ge=1, le=5)]
    comment: str | None = None
    rated_at: AwareDatetime


class ComplaintFiled(PrivilegeEvent):
    """The member complained about a service order; merchant-svc opens an accountability case."""

    event_type: ClassVar[str] = "cheyou.privilege.complaint_filed.v1"

    complaint_id: Id
    order_id: Id
    member_id: Id
    merchant_id: Id
    category: Literal["no_show", "quality", "attitude", "overcharge", "other"]
    filed_at: AwareDatetime


class ActivitySignedUp(PrivilegeEvent):
    """The member took a place in a club activity."""

    event_type: ClassVar[str] = "cheyou.privilege.activity_signed_up.v1"

    signup_id: Id
    activity_id: Id
    member_id: Id
    party_size: Annotated[int, Field(ge=1)]
    signed_up_at: AwareDatetime
