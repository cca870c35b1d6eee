"""Events as other services publish them, with fresh ids."""

import random
import uuid
from datetime import UTC, datetime
from typing import Any

from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberContactChanged, MemberProfileChanged
from cheyou_events.catalogue.privilege import Entitlement, EntitlementsChanged

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def member_id() -> str:
    return str(uuid.uuid4())


def phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def openid() -> str:
    return f"o-{uuid.uuid4().hex[:20]}"


def contact(member: str, openid: str | None, phone: str | None) -> Envelope[Any]:
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
