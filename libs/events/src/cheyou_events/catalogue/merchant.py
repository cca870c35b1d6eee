"""Merchant events (``merchant.events``): the merchant side of service orders, and accountability."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Id
from cheyou_events.event import Event


class MerchantEvent(Event):
    topic: ClassVar[str] = "merchant.events"


class MerchantOrderAccepted(MerchantEvent):
    """The contracted merchant accepted the service order (callback)."""

    event_type: ClassVar[str] = "cheyou.merchant.order_accepted.v1"

    order_id: Id
    member_id: Id
    merchant_id: Id
    appointment_at: AwareDatetime | None = None
    accepted_at: AwareDatetime


class MerchantOrderRejected(MerchantEvent):
    """The merchant declined the order; merchant-svc may place it elsewhere."""

    event_type: ClassVar[str] = "cheyou.merchant.order_rejected.v1"

    order_id: Id
    member_id: Id
    merchant_id: Id
    reason: str
    rejected_at: AwareDatetime


class MerchantOrderInService(MerchantEvent):
    """The merchant started the service."""

    event_type: ClassVar[str] = "cheyou.merchant.order_in_service.v1"

    order_id: Id
    member_id: Id
    merchant_id: Id
    started_at: AwareDatetime


class MerchantOrderCompleted(MerchantEvent):
    """The merchant reported the service done."""

    event_type: ClassVar[str] = "cheyou.merchant.order_completed.v1"

    order_id: Id
    member_id: Id
    merchant_id: Id
    service_record_id: Id
    completed_at: AwareDatetime


class MerchantOrderUnplaceable(MerchantEvent):
    """No contracted merchant could take the order."""

    event_type: ClassVar[str] = "cheyou.merchant.order_unplaceable.v1"

    order_id: Id
    member_id: Id
    reason: Literal["no_contracted_merchant", "merchant_unreachable", "all_rejected"]
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
