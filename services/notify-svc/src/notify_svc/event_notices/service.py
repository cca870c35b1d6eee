"""Event notices: which facts of other services (orders, claims, points, tiers, verification) become
messages to the member, in which words."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import TierDowngradeScheduled
from cheyou_events.catalogue.privilege import EntitlementsChanged, PointsExpiring
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.config import Settings
from notify_svc.delivery import service as delivery
from notify_svc.delivery.service import Notice, Outcome

TIER_NAMES = {
    Tier.PROSPECTIVE: "准会员",
    Tier.ORDINARY: "普通会员",
    Tier.THREE_STAR: "三星会员",
    Tier.FOUR_STAR: "四星会员",
    Tier.FIVE_STAR: "五星会员",
}

ORDER_STATUS = {
    "cheyou.privilege.order_requested.v1": "已提交",
    "cheyou.privilege.order_cancelled.v1": "已取消",
    "cheyou.privilege.order_closed.v1": "已完成",
    "cheyou.merchant.order_accepted.v1": "商户已接单",
    "cheyou.merchant.order_rejected.v1": "商户未能接单",
    "cheyou.merchant.order_in_service.v1": "服务中",
    "cheyou.merchant.order_completed.v1": "服务已完成",
    "cheyou.merchant.order_unplaceable.v1": "暂无可用商户",
}

CLAIM_STEPS = {
    "cheyou.claims.reported.v1": "已报案",
    "cheyou.claims.liability_assessed.v1": "责任已认定",
    "cheyou.claims.survey_confirmed.v1": "查勘已确认",
    "cheyou.claims.reshoot_requested.v1": "请补拍照片",
    "cheyou.claims.documents_completed.v1": "单证已齐全",
    "cheyou.claims.settled.v1": "已结案赔付",
    "cheyou.claims.withdrawn.v1": "已撤案",
}


def privilege_names(event: EntitlementsChanged) -> list[str]:
    # The payload carries privilege ids; a display name is used when privilege-svc adds one.
    return [str(getattr(e, "name", None) or e.privilege_id) for e in event.entitlements]


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def tell(
    session: AsyncSession,
    settings: Settings,
    member_id: str,
    template_code: str,
    fact_id: str,
    variables: dict[str, Any],
    event_id: str,
    hold_in_quiet_hours: bool | None = None,
) -> Outcome:
    notice = Notice(
        member_id=member_id,
        template_code=template_code,
        fact_id=fact_id,
        variables=variables,
        cause_event_id=_uuid_or_none(event_id),
        hold_in_quiet_hours=hold_in_quiet_hours,
    )
    return await delivery.notify(session, notice, datetime.now(UTC), settings)


async def entitlements_changed(
    session: AsyncSession, settings: Settings, event_id: str, event: EntitlementsChanged
) -> Outcome:
    names = privilege_names(event)
    variables = {
        "tier_name": TIER_NAMES[event.tier],
        "privileges": "、".join(names) or "无",
        "count": len(names),
    }
    return await tell(
        session,
        settings,
        event.member_id,
        "entitlements_changed",
        f"entitlements:{event_id}",
        variables,
        event_id,
    )


async def order_status(
    session: AsyncSession, settings: Settings, event_id: str, event_type: str, member_id: str, order_id: str
) -> Outcome:
    variables = {"order_id": order_id, "status_text": ORDER_STATUS[event_type]}
    return await tell(session, settings, member_id, "order_status", f"order:{event_id}", variables, event_id)


async def claim_step(
    session: AsyncSession, settings: Settings, event_id: str, event_type: str, member_id: str, claim_id: str
) -> Outcome:
    variables = {"claim_id": claim_id, "step_text": CLAIM_STEPS[event_type]}
    return await tell(session, settings, member_id, "claim_step", f"claim:{event_id}", variables, event_id)


async def points_credited(
    session: AsyncSession, settings: Settings, event_id: str, member_id: str, points: int, balance: int
) -> Outcome:
    variables = {"points": points, "balance": balance}
    return await tell(
        session, settings, member_id, "points_credited", f"points:{event_id}", variables, event_id
    )


async def activity_signed_up(
    session: AsyncSession,
    settings: Settings,
    event_id: str,
    member_id: str,
    activity_id: str,
    party_size: int,
) -> Outcome:
    variables = {"activity_id": activity_id, "party_size": party_size}
    return await tell(
        session, settings, member_id, "activity_signed_up", f"activity:{event_id}", variables, event_id
    )


async def verification_outcome(
    session: AsyncSession, settings: Settings, event_id: str, member_id: str, verified: bool, reason: str
) -> Outcome:
    variables = {"outcome_text": "已通过" if verified else "未通过", "reason": reason}
    return await tell(
        session, settings, member_id, "verification_outcome", f"verification:{event_id}", variables, event_id
    )


async def points_expiring(
    session: AsyncSession, settings: Settings, event_id: str, event: PointsExpiring
) -> Outcome:
    """The same expiring points (member, day, amount) are reminded of once, whoever re-announces them."""
    expires_on = event.expires_at.astimezone(ZoneInfo(settings.timezone)).date()
    variables = {"points": event.points, "expires_on": expires_on}
    fact = f"points_expiring:{expires_on.isoformat()}:{event.points}"
    return await tell(session, settings, event.member_id, "points_expiring", fact, variables, event_id)


def yuan(fen: int) -> str:
    """``150000`` → ``1500``, ``123456`` → ``1234.56`` (yuan, no trailing ``.00``)."""
    whole, cents = divmod(fen, 100)
    return f"{whole}" if cents == 0 else f"{whole}.{cents:02d}"


def keep_text(contribution_needed_fen: int | None) -> str:
    """What keeps the tier, short enough for one WeChat field (at most 20 characters)."""
    if contribution_needed_fen is None:
        return "保持有效保单即可保级"
    return f"再贡献{yuan(contribution_needed_fen)}元即可保级"


async def tier_downgrade_scheduled(
    session: AsyncSession, settings: Settings, event_id: str, event: TierDowngradeScheduled
) -> Outcome:
    """Warn the member before the evaluation date, once per (member, effective date), whoever re-announces
    it. A reminder: the member may switch it off per channel, and it waits for the end of quiet hours."""
    variables = {
        "from_tier": TIER_NAMES[event.from_tier],
        "to_tier": TIER_NAMES[event.to_tier],
        "effective_on": event.effective_on,
        "keep_text": keep_text(event.contribution_needed_fen),
    }
    fact = f"tier_downgrade:{event.effective_on.isoformat()}"
    return await tell(
        session,
        settings,
        event.member_id,
        "tier_downgrade_warning",
        fact,
        variables,
        event_id,
        hold_in_quiet_hours=True,
    )
