"""Which facts of other services reach the member, and points expiring in particular."""

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from cheyou_events.catalogue import claims, member, merchant, privilege
from cheyou_events.catalogue.fields import Tier
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings
from notify_svc.main import subscriptions

from tests.conftest import Fakes, until_known
from tests.factories import contact, member_id, openid, points_expiring, tier_downgrade
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
    member.TierDowngradeScheduled,
]


@pytest.mark.parametrize("event", SUBSCRIBED, ids=lambda e: e.event_type)
def test_the_member_is_told_of(event: Any) -> None:
    assert event in subscriptions


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


class TestTierDowngradeScheduled:
    async def test_the_member_is_warned_once_per_date_with_what_keeps_the_tier(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
    ) -> None:
        who, wx_user = member_id(), openid()
        await publish(service_settings.kafka_bootstrap_servers, contact(who, wx_user, None))
        await until_known(client, identities, who)
        await publish(
            service_settings.kafka_bootstrap_servers,
            tier_downgrade(who, date(2027, 1, 1), 123_456),
            tier_downgrade(who, date(2027, 1, 1), 100_000),  # re-announced for the same date: same fact
            tier_downgrade(who, date(2028, 1, 1), None, from_tier=Tier.THREE_STAR, to_tier=Tier.ORDINARY),
        )

        async def two() -> list[dict[str, Any]] | None:
            items = await inbox(client, identities, who)
            return items if len(items) >= 2 else None

        items = await eventually(two)
        assert {i["title"] for i in items} == {"会员等级调整提醒"}
        assert sorted(i["body"] for i in items) == [
            "您的三星会员等级将于2028年1月1日调整为普通会员。保持有效保单即可保级。",
            "您的四星会员等级将于2027年1月1日调整为三星会员。再贡献1234.56元即可保级。",
        ]

        async def two_sent() -> list[dict[str, Any]] | None:
            sent: list[dict[str, Any]] = (
                await fakes.wechat.get("/_fake/messages", params={"touser": wx_user})
            ).json()["items"]
            return sent if len(sent) >= 2 else None

        sent = sorted(await eventually(two_sent), key=lambda m: m["data"]["date3"]["value"])
        assert {m["template_id"] for m in sent} == {"TPL_TIER_DOWNGRADE_WARNING"}
        assert sent[0]["data"] == {
            "thing1": {"value": "四星会员"},
            "thing2": {"value": "三星会员"},
            "date3": {"value": "2027年1月1日"},
            "thing4": {"value": "再贡献1234.56元即可保级"},
        }
        assert all(len(v["value"]) <= 20 for m in sent for v in m["data"].values())
        assert len(await inbox(client, identities, who)) == 2

    async def test_a_member_who_switched_reminders_off_gets_no_wechat_warning(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
    ) -> None:
        who, wx_user = member_id(), openid()
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=who)
        await publish(service_settings.kafka_bootstrap_servers, contact(who, wx_user, None))
        await until_known(client, identities, who)
        put = await client.put(
            f"/api/v1/preferences/{who}", headers=headers, json={"channels": {"reminder": {"wechat": False}}}
        )
        assert put.status_code == 200
        await publish(service_settings.kafka_bootstrap_servers, tier_downgrade(who, date(2027, 1, 1), 50_000))

        items = await eventually(lambda: _nonempty(inbox(client, identities, who)))
        assert items[0]["body"] == "您的四星会员等级将于2027年1月1日调整为三星会员。再贡献500元即可保级。"
        log = (
            await client.get(
                f"/api/v1/audience/{who}/messages", headers=identities.headers("notify-svc", Role.OPS)
            )
        ).json()["items"]
        assert log == []


async def _nonempty(pending: Any) -> Any:
    items = await pending
    return items or None
