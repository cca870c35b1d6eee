"""Which facts of other services reach the member, and points expiring in particular."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cheyou_events.catalogue import claims, member, merchant, privilege
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings
from notify_svc.main import HANDLERS

from tests.factories import member_id, points_expiring
from tests.reminders.helpers import inbox

SUBSCRIBED = [
    privilege.EntitlementsChanged,
    privilege.PointsCredited,
    privilege.PointsExpiring,
    privilege.ActivitySignedUp,
    privilege.PrivilegeOrderRequested,
    privilege.PrivilegeOrderCancelled,
    privilege.PrivilegeOrderClosed,
    merchant.MerchantOrderAccepted,
    merchant.MerchantOrderRejected,
    merchant.MerchantOrderInService,
    merchant.MerchantOrderCompleted,
    merchant.MerchantOrderUnplaceable,
    claims.ClaimReported,
    claims.LiabilityAssessed,
    claims.SurveyConfirmed,
    claims.ReshootRequested,
    claims.DocumentsCompleted,
    claims.ClaimSettled,
    claims.ClaimWithdrawn,
    member.MemberVerified,
    member.MemberRejected,
]


@pytest.mark.parametrize("event", SUBSCRIBED, ids=lambda e: e.event_type)
def test_the_member_is_told_of(event: Any) -> None:
    assert event.event_type in HANDLERS


class TestPointsExpiring:
    async def test_the_same_expiring_points_are_reminded_of_once(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        who = member_id()
        expires = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 on the 31st in Shanghai
        await publish(
            service_settings.kafka_bootstrap_servers,
            points_expiring(who, 300, expires),
            points_expiring(who, 300, expires),  # privilege-svc reminding again: same fact
            points_expiring(who, 120, datetime(2027, 3, 31, 15, 59, tzinfo=UTC)),
        )

        async def two() -> list[dict[str, Any]] | None:
            items = await inbox(client, identities, who)
            return items if len(items) >= 2 else None

        items = await eventually(two)
        assert sorted(i["body"] for i in items) == [
            "您有120积分将于2027年3月31日过期，请及时使用。",
            "您有300积分将于2026年12月31日过期，请及时使用。",
        ]
