"""The case study's figures as data, for the usage test: March–December 2014 orders and redemptions of the
Fuzhou club.

``seed_2014`` writes the completed orders behind the seed's table (代办验车 586, 洗车 1,350, 加油优惠 204,
星级会员酒后代驾 46) and the 1,091 points redemptions as a historical import (no quota, points or
events: it is history), so ``GET /privileges/usage?from=2014-03-01&to=2015-01-01`` reproduces the
table. (The seed's 87,404 fast claims are claims-svc's, not privilege orders.) The demo world
(``make demo``, ``tools/demo``) makes the same figures through the public API instead.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from cheyou_events.catalogue.fields import Tier
from privilege_svc.member_projection import service as member_tiers
from privilege_svc.orders import service as orders
from privilege_svc.orders.models import ServiceOrder
from privilege_svc.privileges import service as privileges
from privilege_svc.rewards import service as rewards
from privilege_svc.rewards.schemas import RewardCreate
from sqlalchemy.ext.asyncio import AsyncSession

START = datetime(2014, 3, 1, tzinfo=UTC)
END = datetime(2015, 1, 1, tzinfo=UTC)

# privilege → orders per tier, summing to the seed's figures
ORDERS_2014: dict[str, dict[Tier, int]] = {
    "annual_inspection_agency": {
        Tier.ORDINARY: 400,
        Tier.THREE_STAR: 150,
        Tier.FOUR_STAR: 30,
        Tier.FIVE_STAR: 6,
    },
    "car_wash": {Tier.ORDINARY: 1000, Tier.THREE_STAR: 300, Tier.FOUR_STAR: 40, Tier.FIVE_STAR: 10},
    "fuel_discount": {Tier.ORDINARY: 150, Tier.THREE_STAR: 40, Tier.FOUR_STAR: 10, Tier.FIVE_STAR: 4},
    "after_drinking_driving": {Tier.THREE_STAR: 36, Tier.FOUR_STAR: 8, Tier.FIVE_STAR: 2},
}
REDEMPTIONS_2014 = 1091
MEMBERS_PER_TIER = 40


def _instant(i: int, n: int) -> datetime:
    """The i-th of n instants spread evenly over the period."""
    return START + (END - START - timedelta(hours=1)) * i / max(n, 1)


async def seed_2014(session: AsyncSession) -> None:
    tiers = [Tier.ORDINARY, Tier.THREE_STAR, Tier.FOUR_STAR, Tier.FIVE_STAR]
    members = {t: [f"demo-2014-{t.value}-{i}" for i in range(MEMBERS_PER_TIER)] for t in tiers}
    for tier, ids in members.items():
        for member_id in ids:
            await member_tiers.project_tier(session, member_id, tier, START - timedelta(days=1))
    for code, per_tier in ORDERS_2014.items():
        privilege = await privileges.get_privilege(session, code)
        for tier, n in per_tier.items():
            terms = await privileges.terms_of(session, code, tier)
            assert terms is not None
            for i in range(n):
                at = _instant(i, n)
                orders.import_historical(
                    session,
                    ServiceOrder(
                        id=uuid.uuid4(),
                        member_id=members[tier][i % MEMBERS_PER_TIER],
                        privilege_code=code,
                        tier=tier.value,
                        terms_id=terms.id,
                        status="completed",
                        price_fen=terms.price_for(privilege.list_price_fen),
                        points_held=0,
                        quota_period_start=at.date().replace(month=1, day=1),
                        city_code="350100",
                        merchant_id="demo-merchant" if privilege.fulfilment == "merchant" else "in_house",
                        created_at=at,
                        updated_at=at,
                        completed_at=at,
                    ),
                )
    reward = await rewards.create(
        session,
        RewardCreate(
            name="2014 积分换购 (演示)",
            kind="service",
            tier_prices=dict.fromkeys(tiers, 100),
            stock=REDEMPTIONS_2014,
        ),
        flash_sale=False,
        created_by="demo",
    )
    redeemers = [(m, t.value) for t in tiers for m in members[t]]
    await session.flush()
    await rewards.import_historical(
        session,
        reward,
        [(*redeemers[i % len(redeemers)], _instant(i, REDEMPTIONS_2014)) for i in range(REDEMPTIONS_2014)],
    )
