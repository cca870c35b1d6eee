"""Merchant events (``merchant.events``): the merchant side of service orders, and accountability."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id
from cheyou_events.event import Event


class MerchantEvent(Event):
    topic: ClassVar[str] = "merchant.events"


class OrderEvent(MerchantEvent):
    """A step of a member's service order on the merchant side."""

    order_id: Id
    member_id: Id


class MerchantOrderEvent(OrderEvent):
    """A step the merchant holding the order took."""

    merchant_id: Id


class MerchantOrderAccepted(MerchantOrderEvent):
    """The contracted merchant accepted the service order (callback)."""

    event_type: ClassVar[str] = "cheyou.merchant.order_accepted.v1"

    appointment_at: AwareDatetime | None = None
    accepted_at: AwareDatetime


class MerchantOrderRejected(MerchantOrderEvent):
    """The merchant declined the order; merchant-svc may place it elsewhere."""

    event_type: ClassVar[str] = "cheyou.merchant.order_rejected.v1"

    reason: str
    rejected_at: AwareDatetime


class MerchantOrderInService(MerchantOrderEvent):
    """The merchant started the service."""

    event_type: ClassVar[str] = "cheyou.merchant.order_in_service.v1"

    started_at: AwareDatetime


class MerchantOrderCompleted(MerchantOrderEvent):
    """The merchant reported the service done."""

    event_type: ClassVar[str] = "cheyou.merchant.order_completed.v1"

    service_record_id: Id
    completed_at: AwareDatetime


class MerchantOrderUnplaceable(OrderEvent):
    """No contracted merchant could take the order."""

    event_type: ClassVar[str] = "cheyou.merchant.order_unplaceable.v1"

    reason: Literal[
        "no_contracted_merchant",
        "merchant_unreachable",
        "all_rejected",
        "at_capacity",
        "accept_deadline_missed",
    ]
    failed_at: AwareDatetime


class AccountabilityOpened(MerchantEvent):
    """A complaint opened an accountability case on the merchant."""

    event_type: ClassVar[str] = "cheyou.merchant.accountability_opened.v1"

    case_id: Id
    complaint_id: Id
    order_id: Id
    member_id: Id
    merchant_id: Id
    opened_at: AwareDatetime


class MerchantOrderFailed(MerchantOrderEvent):
    """The merchant could not carry out an accepted order (no access, vehicle gone, ...)."""

    event_type: ClassVar[str] = "cheyou.merchant.order_failed.v1"

    reason: str
    failed_at: AwareDatetime


class MerchantSuspended(MerchantEvent):
    """An accountability decision (or ops) suspended the merchant: it receives no new orders."""

    event_type: ClassVar[str] = "cheyou.merchant.suspended.v1"
    key_field: ClassVar[str] = "merchant_id"

    merchant_id: Id
    reason: str
    case_id: Id | None = None
    suspended_at: AwareDatetime


class WebhookEndpointDisabled(MerchantEvent):
    """A merchant's webhook endpoint was disabled: it answered 410 Gone, or kept failing for days."""

    event_type: ClassVar[str] = "cheyou.merchant.webhook_endpoint_disabled.v1"
    key_field: ClassVar[str] = "merchant_id"

    merchant_id: Id
    endpoint_id: Id
    url: str
    reason: Literal["gone", "failing"]
    failing_since: AwareDatetime | None = None
    last_error: str | None = None
    disabled_at: AwareDatetime


class MerchantApiKeyRevoked(MerchantEvent):
    """A merchant's API key stops working at ``effective_at``: revoked (at once) or rotated (after the
    overlap). The gateway drops its cached verification of the key when it reads this."""

    event_type: ClassVar[str] = "cheyou.merchant.api_key_revoked.v1"
    key_field: ClassVar[str] = "merchant_id"

    merchant_id: Id
    api_key_id: Id
    reason: Literal["revoked", "rotated"]
    effective_at: AwareDatetime


class CouponRedeemed(MerchantEvent):
    """A merchant redeemed a member's coupon (once)."""

    event_type: ClassVar[str] = "cheyou.merchant.coupon_redeemed.v1"

    coupon_id: Id
    batch_id: Id
    member_id: Id
    merchant_id: Id
    redeemed_at: AwareDatetime


class CouponIssueRefused(MerchantEvent):
    """A coupon reward redeemed in the points mall could not be issued (the points were spent for nothing
    unless privilege-svc gives them back)."""

    event_type: ClassVar[str] = "cheyou.merchant.coupon_issue_refused.v1"
    key_field: ClassVar[str] = "member_id"

    redemption_id: Id
    member_id: Id
    batch_id: str
    reason: Literal["unknown_batch", "batch_closed", "batch_exhausted", "member_limit"]
    refused_at: AwareDatetime


class CouponPrizeRefused(MerchantEvent):
    """A coupon a member won in a club game (``privilege.game_prize_won``) could not be issued;
    privilege-svc puts the prize back in the game's budget and tells the member why."""

    event_type: ClassVar[str] = "cheyou.merchant.coupon_prize_refused.v1"

    play_id: Id
    game_id: Id
    member_id: Id
    batch_id: str
    reason: Literal["unknown_batch", "batch_closed", "batch_exhausted", "member_limit"]
    refused_at: AwareDatetime


class AccountabilityDecided(MerchantEvent):
    """An accountability case was closed with its outcome."""

    event_type: ClassVar[str] = "cheyou.merchant.accountability_decided.v1"

    case_id: Id
    order_id: Id
    member_id: Id
    merchant_id: Id
    outcome: Literal["no_fault", "warning", "penalty", "suspension"]
    penalty_fen: Fen = 0
    decided_by: str
    decided_at: AwareDatetime
