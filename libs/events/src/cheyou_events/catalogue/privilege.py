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
    """The privilege's stable code, e.g. ``after_drinking_driving``."""
    quota: Annotated[int, Field(ge=0)]
    period: Literal["year", "month", "once"]
    price_fen: Fen
    name: str | None = None
    """The privilege's name as members see it (Chinese), e.g. ``酒后代驾``."""
    mode: Literal["free", "discount", "fixed_price"] | None = None
    discount_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    """With ``mode == "discount"``: the percentage taken off the list price."""
    unlimited: bool = False
    """True when the quota does not apply (e.g. roadside rescue); ``quota`` is then 0."""


class EntitlementsChanged(PrivilegeEvent):
    """The member's privileges and quotas were recomputed (usually after a tier change)."""

    event_type: ClassVar[str] = "cheyou.privilege.entitlements_changed.v1"

    member_id: Id
    tier: Tier
    entitlements: list[Entitlement]
    changed_at: AwareDatetime
    from_tier: Tier | None = None
    granted: list[Entitlement] = Field(default_factory=list)
    """Privileges the new tier offers that the previous one did not (the "privilege push")."""
    revoked: list[Entitlement] = Field(default_factory=list)
    """Privileges the previous tier offered that the new one does not (with the terms that were lost)."""
    changed: list[Entitlement] = Field(default_factory=list)
    """Privileges offered by both tiers on different terms (e.g. discounted → free), with the new terms."""


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
    privilege_name: str | None = None
    merchant_category: str | None = None
    """Which kind of contracted merchant fulfils it (``designated_driving``, ``car_affairs``, ...)."""
    tier: Tier | None = None
    pickup_address: str | None = None
    destination_address: str | None = None
    vehicle_plate: str | None = None
    flight_no: str | None = None
    notes: str | None = None
    service_point_id: Id | None = None
    """The merchant service point the member chose (merchant-svc prefers its merchant, then the nearest
    capable point's)."""


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
    "order_reward",
    "order_payment",
    "order_release",
    "activity",
    "redemption",
    "expiry",
    "adjustment",
    "welcome",
    "renewal",
    "referral",
    "order_rating",
    "attendance",
    "reversal",
    "game",
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


class ActivityAttended(PrivilegeEvent):
    """The member was checked in at a club activity (their QR code scanned at the door)."""

    event_type: ClassVar[str] = "cheyou.privilege.activity_attended.v1"

    signup_id: Id
    activity_id: Id
    member_id: Id
    activity_title: str | None = None
    attended_at: AwareDatetime


class PointsExpiring(PrivilegeEvent):
    """A reminder: some of the member's points expire soon unless spent."""

    event_type: ClassVar[str] = "cheyou.privilege.points_expiring.v1"

    member_id: Id
    points: Points
    expires_at: AwareDatetime
    balance: Points
    reminded_at: AwareDatetime


class RewardRedeemed(PrivilegeEvent):
    """The member redeemed points for a reward of the mall (or a flash sale)."""

    event_type: ClassVar[str] = "cheyou.privilege.reward_redeemed.v1"

    redemption_id: Id
    reward_id: Id
    member_id: Id
    reward_name: str
    kind: Literal["goods", "service", "coupon"]
    points: Points
    flash_sale: bool = False
    merchant_id: Id | None = None
    redeemed_at: AwareDatetime
    coupon_batch_id: Id | None = None
    """With ``kind == "coupon"``: the merchant-svc coupon batch to issue the member a coupon from."""


class GamePrizeWon(PrivilegeEvent):
    """A member's play of a club game (博饼, 砸金蛋) won a prize paid from the game's budget: points are
    already credited (``points_credited`` with reason ``game``); a coupon prize is for merchant-svc to
    issue from ``coupon_batch_id`` (it answers ``merchant.coupon_prize_refused`` when it cannot)."""

    event_type: ClassVar[str] = "cheyou.privilege.game_prize_won.v1"

    play_id: Id
    game_id: Id
    game_name: str
    game_kind: Literal["bobing", "golden_egg"]
    member_id: Id
    outcome_code: str
    """The 博饼 outcome (``zhuangyuan``, ``duitang``, ``yixiu``...) or the golden egg's prize code."""
    outcome_name: str
    """As the member reads it, e.g. ``状元插金花``."""
    prize_name: str
    prize_kind: Literal["points", "coupon"]
    points: Points = 0
    merchant_id: Id | None = None
    coupon_batch_id: Id | None = None
    won_at: AwareDatetime
