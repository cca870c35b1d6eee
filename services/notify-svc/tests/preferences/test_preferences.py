"""Preferences: per category and channel; service messages stay on; opted-out channels get nothing."""

import uuid
from datetime import UTC, datetime

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from notify_svc.config import Settings
from notify_svc.delivery.rules import DeliveryRules
from notify_svc.delivery.service import Notice, notify
from notify_svc.preferences import service as preferences
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import member_id

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Fuzhou


class TestPutPreferences:
    async def test_switching_marketing_sms_off(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = member_id()
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        response = await client.put(
            f"/api/v1/preferences/{member}", json={"channels": {"marketing": {"sms": False}}}, headers=headers
        )
        assert response.json()["channels"]["marketing"] == {"wechat": True, "sms": False, "inbox": True}
        again = (await client.get(f"/api/v1/preferences/{member}", headers=headers)).json()
        assert again["channels"]["marketing"]["sms"] is False

    async def test_service_messages_cannot_be_switched_off(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = member_id()
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        response = await client.put(
            f"/api/v1/preferences/{member}",
            json={"channels": {"service": {"wechat": False}}},
            headers=headers,
        )
        assert response.status_code == 422
        assert response.json()["type"].endswith("service-messages-always-on")

    async def test_unknown_category_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        member = member_id()
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member)
        response = await client.put(
            f"/api/v1/preferences/{member}", json={"channels": {"spam": {"sms": False}}}, headers=headers
        )
        assert response.status_code == 422

    async def test_another_member_gets_404(self, client: httpx.AsyncClient, identities: Identities) -> None:
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member_id())
        assert (await client.get(f"/api/v1/preferences/{member_id()}", headers=headers)).status_code == 404


class TestNotifyWithPreferences:
    async def test_opted_out_of_every_channel_is_a_logged_skip(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        await preferences.update(
            session, member, {"marketing": {"wechat": False, "sms": False, "inbox": False}}, NOW
        )
        notice = Notice(member, "campaign_generic", f"t:{uuid.uuid4()}", {"title": "春季", "content": "自驾"})
        assert await notify(session, notice, NOW, service_settings) == "opted_out"

    async def test_a_known_member_gets_only_the_channels_left_on(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        await session.execute(
            text("INSERT INTO recipients (member_id, openid, updated_at) VALUES (:m, 'o-kept', now())"),
            {"m": member},
        )
        await preferences.update(session, member, {"marketing": {"wechat": False}}, NOW)
        notice = Notice(member, "campaign_generic", f"t:{uuid.uuid4()}", {"title": "春季", "content": "自驾"})
        assert await notify(session, notice, NOW, service_settings) == "queued"
        counts = (
            await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM inbox_items WHERE member_id = :m),"
                    " (SELECT count(*) FROM messages WHERE member_id = :m)"
                ),
                {"m": member},
            )
        ).one()
        assert tuple(counts) == (1, 0)

    async def test_service_message_ignores_opt_outs(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        await _known(session, member)
        await session.execute(
            text("INSERT INTO preferences VALUES (:m, 'service', 'inbox', false, now())"), {"m": member}
        )
        notice = Notice(member, "points_credited", f"t:{uuid.uuid4()}", {"points": 1, "balance": 1})
        assert await notify(session, notice, NOW, service_settings) == "queued"

    async def test_same_fact_twice_is_a_duplicate(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        member = member_id()
        await _known(session, member)
        notice = Notice(member, "points_credited", f"t:{uuid.uuid4()}", {"points": 1, "balance": 1})
        assert await notify(session, notice, NOW, service_settings) == "queued"
        assert await notify(session, notice, NOW, service_settings) == "duplicate"

    async def test_a_member_not_known_yet_is_held_for_the_contact(
        self, session: AsyncSession, service_settings: Settings
    ) -> None:
        notice = Notice(member_id(), "points_credited", f"t:{uuid.uuid4()}", {"points": 1, "balance": 1})
        assert await notify(session, notice, NOW, service_settings) == "held"
        assert await notify(session, notice, NOW, service_settings) == "duplicate"


async def _known(session: AsyncSession, member: str) -> None:
    """A member in the audience projection, reachable on WeChat."""
    await session.execute(
        text("INSERT INTO recipients (member_id, openid, updated_at) VALUES (:m, 'o-known', now())"),
        {"m": member},
    )


class TestQuietHours:
    rules = DeliveryRules(timezone="Asia/Shanghai", quiet_start_hour=21, quiet_end_hour=8)

    def test_marketing_at_night_waits_for_eight_in_the_morning(self) -> None:
        at_night = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 22:30 in Fuzhou
        assert self.rules.hold_until("marketing", at_night) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)

    def test_marketing_before_dawn_waits_for_eight_the_same_day(self) -> None:
        before_dawn = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # 05:00 in Fuzhou on the 26th
        assert self.rules.hold_until("marketing", before_dawn) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)

    def test_marketing_by_day_goes_now(self) -> None:
        assert self.rules.hold_until("marketing", NOW) == NOW

    def test_service_messages_are_never_held(self) -> None:
        at_night = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
        assert self.rules.hold_until("service", at_night) == at_night
