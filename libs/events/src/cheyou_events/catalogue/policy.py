"""The feed from the insurer's core policy system (``core.policy.events``), keyed by customer number.

The core system does not know member ids; member-svc maps a policy to a member by
``holder_id_hash`` — HMAC-SHA256 (hex) of the holder's upper-cased 18-character ID-card number under
the hash key the core system shares with member-svc (``MEMBER_PII_HASH_KEY``) — falling back to
``customer_no``. The optional fields were added after v1 shipped; producers fill them when they can.

``holder_name_sealed`` and ``holder_phone_sealed`` are the holder's name and mobile number as the insurer
holds them, sealed (:mod:`cheyou_events.sealing`, ``EVENTS_PII_KEY``) with the customer number as the
partition key and ``holder_name`` / ``holder_phone`` as the field: never in clear on the topic. A core
system posting over HTTP (member-svc ``POST /policy-feed``) sends them in clear and member-svc seals them.
The reviewer verifying a member calls the holder on this phone, not on the one the applicant typed.
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
    NON_MOTOR = "non_motor"  # 非车险 (home, accident, health, ...)


class VehicleKind(StrEnum):
    HOUSEHOLD_CAR = "household_car"
    COMMERCIAL_VEHICLE = "commercial_vehicle"
    MOTORCYCLE = "motorcycle"
    OTHER = "other"


class PolicyEvent(Event):
    """A fact of one policy of the core system, keyed by the holder's customer number."""

    topic: ClassVar[str] = "core.policy.events"
    key_field: ClassVar[str] = "customer_no"

    policy_no: Id
    customer_no: Id


class PolicyTerms(PolicyEvent):
    """A policy as the core system writes it when it issues or renews one: cover, period, premium,
    vehicle, seller and holder."""

    line: PolicyLine
    vehicle_kind: VehicleKind
    premium_fen: Fen
    starts_on: date
    ends_on: date
    branch_code: Id
    holder_id_hash: str | None = None
    """HMAC-SHA256 hex of the holder's ID-card number (see the module docstring)."""
    plate: str | None = None
    vin: str | None = None
    channel: str | None = None
    """Sales channel in the core system, e.g. ``agent``, ``direct``, ``dealer``, ``online``."""
    selling_unit: str | None = None
    """The selling unit (营业部) code; recruitment targets are counted per unit."""
    selling_manager_id: str | None = None
    """Staff id of the customer manager who sold the policy."""
    holder_name_sealed: str | None = None
    """The holder's name as the insurer holds it, sealed (see the module docstring)."""
    holder_phone_sealed: str | None = None
    """The holder's mobile number as the insurer holds it, sealed (see the module docstring)."""


class PolicyIssued(PolicyTerms):
    """A new policy was issued by the core system."""

    event_type: ClassVar[str] = "cheyou.policy.issued.v1"

    issued_at: AwareDatetime


class PolicyRenewed(PolicyTerms):
    """A policy was renewed; ``previous_policy_no`` is the policy it continues."""

    event_type: ClassVar[str] = "cheyou.policy.renewed.v1"

    previous_policy_no: Id
    renewed_at: AwareDatetime


class PolicyCancelled(PolicyEvent):
    """A policy was cancelled before its end date."""

    event_type: ClassVar[str] = "cheyou.policy.cancelled.v1"

    reason: str
    refund_fen: Fen
    cancelled_at: AwareDatetime
    holder_id_hash: str | None = None


class PolicyEndorsed(PolicyEvent):
    """A policy was endorsed (批改): vehicle, premium or period changed during its term.

    Fields left ``None`` did not change.
    """

    event_type: ClassVar[str] = "cheyou.policy.endorsed.v1"

    endorsement_no: Id
    reason: str
    premium_fen: Fen | None = None
    """The policy's premium after the endorsement."""
    plate: str | None = None
    vin: str | None = None
    ends_on: date | None = None
    holder_id_hash: str | None = None
    endorsed_at: AwareDatetime
    holder_name_sealed: str | None = None
    """The holder's name as the insurer holds it, sealed (see the module docstring)."""
    holder_phone_sealed: str | None = None
    """The holder's mobile number as the insurer holds it, sealed (see the module docstring)."""


class PolicyLapsed(PolicyEvent):
    """A policy reached its end date without being renewed (脱保)."""

    event_type: ClassVar[str] = "cheyou.policy.lapsed.v1"

    ended_on: date
    holder_id_hash: str | None = None
    lapsed_at: AwareDatetime
