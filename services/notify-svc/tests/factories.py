"""Events as other services publish them, with fresh ids."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cheyou_events import Envelope, sealing
from cheyou_events.catalogue.feeds import TrafficViolationRecorded, WeatherAlertIssued
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import (
    ManagerAssigned,
    MemberContactChanged,
    MemberPolicyChanged,
    MemberProfileChanged,
    MemberVehiclesChanged,
    TierDowngradeScheduled,
    Vehicle,
)
from cheyou_events.catalogue.privilege import (
    Entitlement,
    EntitlementsChanged,
    PointsCredited,
    PointsExpiring,
)

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def member_id() -> str:
    return str(uuid.uuid4())


def phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def openid() -> str:
    return f"o-{uuid.uuid4().hex[:20]}"


def contact_changed(member: str, openid: str | None, phone: str | None) -> MemberContactChanged:
    """As member-svc emits it: the phone sealed under ``EVENTS_PII_KEY``, never in clear."""
    sealed = sealing.seal(phone, partition_key=member, field="phone") if phone else None
    return MemberContactChanged(member_id=member, openid=openid, phone_sealed=sealed, changed_at=AT)


def contact(member: str, openid: str | None, phone: str | None) -> Envelope[Any]:
    return Envelope.new(contact_changed(member, openid, phone), source="member-svc")


def legacy_contact(member: str, openid: str | None, phone: str | None) -> Envelope[Any]:
    """As member-svc emitted it before phones were sealed: the phone in clear."""
    return Envelope.new(
        MemberContactChanged(member_id=member, openid=openid, phone=phone, changed_at=AT), source="member-svc"
    )


def profile(member: str, **fields: Any) -> Envelope[Any]:
    values: dict[str, Any] = {"interests": [], "join_channel": "wechat", **fields}
    return Envelope.new(MemberProfileChanged(member_id=member, changed_at=AT, **values), source="member-svc")


def entitlements(member: str, *privilege_ids: str, tier: Tier = Tier.FOUR_STAR) -> Envelope[Any]:
    granted = [Entitlement(privilege_id=p, quota=2, period="year", price_fen=0) for p in privilege_ids]
    return Envelope.new(
        EntitlementsChanged(member_id=member, tier=tier, entitlements=granted, changed_at=AT),
        source="privilege-svc",
    )


def plate() -> str:
    return f"闽A{random.randrange(10**5):05d}"


def policy(
    member: str,
    ends_on: date,
    *,
    policy_no: str | None = None,
    change: str = "issued",
    status: str = "active",
    previous: str | None = None,
    changed_at: datetime = AT,
) -> Envelope[Any]:
    event = MemberPolicyChanged(
        member_id=member,
        policy_no=policy_no or f"P{uuid.uuid4().hex[:12].upper()}",
        change=change,
        line="commercial",
        status=status,
        premium_fen=450_000,
        starts_on=ends_on - timedelta(days=365),
        ends_on=ends_on,
        previous_policy_no=previous,
        changed_at=changed_at,
    )
    return Envelope.new(event, source="member-svc")


def vehicles(member: str, *cars: tuple[str, date | None, str]) -> Envelope[Any]:
    listed = [Vehicle(plate=p, registered_on=r, kind=k) for p, r, k in cars]
    return Envelope.new(
        MemberVehiclesChanged(member_id=member, vehicles=listed, changed_at=AT), source="member-svc"
    )


def violation(plate: str, violation_id: str | None = None) -> Envelope[Any]:
    event = TrafficViolationRecorded(
        violation_id=violation_id or f"V{uuid.uuid4().hex[:12]}",
        plate=plate,
        occurred_at=datetime(2026, 11, 20, 1, 30, tzinfo=UTC),
        location="福州市五四路",
        description="违反禁令标志指示",
        fine_fen=20_000,
        penalty_points=3,
        recorded_at=datetime.now(UTC),  # the sweep looks back from the present
    )
    return Envelope.new(event, source="feeds")


def weather(region_code: str, level: str = "orange", ends_at: datetime | None = None) -> Envelope[Any]:
    event = WeatherAlertIssued(
        alert_id=f"W{uuid.uuid4().hex[:12]}",
        region_code=region_code,
        kind="rainstorm",
        level=level,
        headline="市气象台发布暴雨橙色预警",
        starts_at=AT,
        ends_at=ends_at,
        issued_at=AT,
    )
    return Envelope.new(event, source="feeds")


def manager_assigned(member: str, manager: str) -> Envelope[Any]:
    return Envelope.new(
        ManagerAssigned(member_id=member, manager_id=manager, assigned_at=AT), source="member-svc"
    )


def points_credited(member: str, points: int, balance: int) -> Envelope[Any]:
    """As privilege-svc emits it, e.g. the welcome points credited on ``member.verified``."""
    event = PointsCredited(
        member_id=member,
        entry_id=str(uuid.uuid4()),
        points=points,
        balance_after=balance,
        reason="activity",
        credited_at=AT,
    )
    return Envelope.new(event, source="privilege-svc")


def points_expiring(member: str, points: int, expires_at: datetime) -> Envelope[Any]:
    event = PointsExpiring(
        member_id=member, points=points, expires_at=expires_at, balance=points + 100, reminded_at=AT
    )
    return Envelope.new(event, source="privilege-svc")


def tier_downgrade(
    member: str,
    effective_on: date,
    needed_fen: int | None,
    *,
    from_tier: Tier = Tier.FOUR_STAR,
    to_tier: Tier = Tier.THREE_STAR,
) -> Envelope[Any]:
    event = TierDowngradeScheduled(
        member_id=member,
        from_tier=from_tier,
        to_tier=to_tier,
        contribution_fen=300_000,
        contribution_needed_fen=needed_fen,
        effective_on=effective_on,
        scheduled_at=AT,
    )
    return Envelope.new(event, source="member-svc")
