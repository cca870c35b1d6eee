"""Renewal reminders from ``member.policy_changed``: 30, 7 and 1 days before the end, each once."""

from datetime import date, datetime, timedelta
from typing import Any

import httpx
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings
from notify_svc.reminders import jobs, service
from notify_svc.reminders.models import Policy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Fakes
from tests.factories import AT, contact, member_id, openid, policy
from tests.reminders.helpers import inbox

TODAY = date(2027, 3, 1)


async def _projected(
    sessions: async_sessionmaker[AsyncSession], policy_no: str, renewed: bool = False
) -> Policy | None:
    async with sessions() as session:
        row = await session.get(Policy, policy_no)
    return row if row is not None and (not renewed or row.renewed_by is not None) else None


class TestWindow:
    def test_each_offset_owns_the_days_down_to_the_next(self) -> None:
        offsets = (30, 7, 1)
        assert [service.window(d, offsets) for d in (31, 30, 20, 8, 7, 2, 1, 0)] == [
            None,
            30,
            30,
            30,
            7,
            7,
            1,
            None,
        ]


class TestRenewalReminders:
    async def test_reminds_30_7_and_1_days_before_and_never_twice(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member, wx = member_id(), openid()
        ends = TODAY + timedelta(days=30)
        event = policy(member, ends)
        await publish(service_settings.kafka_bootstrap_servers, contact(member, wx, None), event)
        await eventually(lambda: _projected(sessions, event.data.policy_no))

        for days_before in (30, 30, 7, 7, 1, 1):
            await jobs.run(sessions, "renewal", service_settings, ends - timedelta(days=days_before))

        items = await inbox(client, identities, member)
        assert [i["title"] for i in items] == ["保单续保提醒"] * 3
        assert sorted(i["body"].split("还有")[1] for i in items) == [
            "1天），请及时续保。",
            "30天），请及时续保。",
            "7天），请及时续保。",
        ]

        async def three_sent() -> list[dict[str, Any]] | None:
            sent: list[dict[str, Any]] = (
                await fakes.wechat.get("/_fake/messages", params={"touser": wx})
            ).json()["items"]
            return sent if len(sent) >= 3 else None

        sent = await eventually(three_sent)
        assert {m["data"]["number3"]["value"] for m in sent} == {"30", "7", "1"}

    async def test_a_job_that_missed_days_still_reminds_once_per_window(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member = member_id()
        ends = TODAY + timedelta(days=20)
        event = policy(member, ends)
        await publish(service_settings.kafka_bootstrap_servers, event)
        await eventually(lambda: _projected(sessions, event.data.policy_no))

        await jobs.run(sessions, "renewal", service_settings, TODAY)
        await jobs.run(sessions, "renewal", service_settings, TODAY + timedelta(days=5))

        items = await inbox(client, identities, member)
        assert len(items) == 1
        assert "还有20天" in items[0]["body"]

    async def test_a_renewed_policy_is_not_reminded(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member = member_id()
        ends = TODAY + timedelta(days=7)
        old = policy(member, ends)
        renewal = policy(member, ends + timedelta(days=365), change="renewed", previous=old.data.policy_no)
        await publish(service_settings.kafka_bootstrap_servers, old, renewal)
        await eventually(lambda: _projected(sessions, old.data.policy_no, renewed=True))

        await jobs.run(sessions, "renewal", service_settings, TODAY)

        assert await inbox(client, identities, member) == []

    async def test_a_cancelled_policy_is_not_reminded(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member = member_id()
        ends = TODAY + timedelta(days=7)
        issued = policy(member, ends)
        no = issued.data.policy_no
        cancelled = policy(
            member,
            ends,
            policy_no=no,
            change="cancelled",
            status="cancelled",
            changed_at=AT + timedelta(hours=1),
        )
        await publish(service_settings.kafka_bootstrap_servers, issued, cancelled)

        async def cancelled_projected() -> Policy | None:
            row = await _projected(sessions, no)
            return row if row is not None and row.status == "cancelled" else None

        await eventually(cancelled_projected)
        await jobs.run(sessions, "renewal", service_settings, TODAY)

        assert await inbox(client, identities, member) == []


class TestPolicyProjection:
    async def test_an_older_change_does_not_overwrite_a_newer_one(self, session: AsyncSession) -> None:
        member = member_id()
        newer = policy(member, date(2028, 1, 1), changed_at=datetime(2027, 1, 2, tzinfo=AT.tzinfo))
        older = policy(
            member,
            date(2027, 6, 1),
            policy_no=newer.data.policy_no,
            changed_at=datetime(2027, 1, 1, tzinfo=AT.tzinfo),
        )
        await service.record_policy(session, newer.data)
        await service.record_policy(session, older.data)

        row = await session.get(Policy, newer.data.policy_no, populate_existing=True)
        assert row is not None
        assert row.ends_on == date(2028, 1, 1)
