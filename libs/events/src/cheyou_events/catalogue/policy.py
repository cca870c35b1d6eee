"""The feed from the insurer's core policy system (``core.policy.events``), keyed by customer number.

The core system does not know member ids; member-svc maps ``customer_no`` to a member.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime

from cheyou_events.catalogue.fields import Fen, Id
from cheyou_events.event import Event


class PolicyLine(StrEnum):
    COMMERCIAL = "commercial"  # 商业险
    COMPULSORY = "compulsory"  # 交强险


class VehicleKind(StrEnum):
    HOUSEHOLD_CAR = "household_car"
    COMMERCIAL_VEHICLE = "commercial_vehicle"
    MOTORCYCLE = "motorcycle"
    OTHER = "other"


class PolicyEvent(Event):
    topic: ClassVar[str] = "core.policy.events"
    key_field: ClassVar[str] = "customer_no"


class PolicyIssued(PolicyEvent):
    """A new policy was issued by the core system."""

    event_type: ClassVar[str] = "cheyou.policy.issued.v1"

    policy_no: Id
    customer_no: Id
    line: PolicyLine
    vehicle_kind: VehicleKind
    premium_fen: Fen
    starts_on: date
    ends_on: date
    branch_code: Id
    issued_at: AwareDatetime


class PolicyRenewed(PolicyEvent):
    """A policy was renewed; ``previous_policy_no`` is the policy it continues."""

    event_type: ClassVar[str] = "cheyou.policy.renewed.v1"

    policy_no: Id
    previous_policy_no: Id
    customer_no: Id
    line: PolicyLine
    vehicle_kind: VehicleKind
    premium_fen: Fen
    starts_on: date
    ends_on: date
    branch_code: Id
    renewed_at: AwareDatetime


class PolicyCancelled(PolicyEvent):
    """A policy was cancelled before its end date."""

    event_type: ClassVar[str] = "cheyou.policy.cancelled.v1"

    policy_no: Id
    customer_no: Id
    reason: str
    refund_fen: Fen
    cancelled_at: AwareDatetime
