"""Weather alerts from ``external.feed.events`` to the members of the alert's region (by prefix)."""

import random
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events.catalogue.member import MemberProfileChanged
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.audience import service as audience
from notify_svc.config import Settings
from notify_svc.preferences import service as preferences
from notify_svc.reminders import service as reminders
from notify_svc.reminders.service import region_prefix
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Fakes
from tests.factories import AT, contact_changed, member_id, openid, phone, plate, vehicles, weather
from tests.reminders.helpers import inbox, ops


async def _member(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    region: str,
    wx: str | None = None,
    number: str | None = None,
    *,
    car: bool = True,
) -> str:
    """A member of the region with a vehicle (``car=False``: without; weather alerts are for car owners)."""
    member = member_id()
    async with sessions() as session, session.begin():
        await audience.record_profile(
            session,
            MemberProfileChanged(
                member_id=member, region_code=region, interests=[], join_channel="wechat", changed_at=AT
            ),
        )
        await audience.record_contact(session, contact_changed(member, wx, number), settings.pii_cipher)
        if car:
            await reminders.record_vehicles(
                session, vehicles(member, (plate(), date(2022, 3, 1), "household_car")).data
            )
    return member


async def _finished(client: httpx.AsyncClient, identities: Identities, alert_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        response = await client.get(f"/api/v1/reminders/weather-alerts/{alert_id}", headers=ops(identities))
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 and body["status"] == "done" else None

    return await eventually(done)


def _city() -> str:
    """A made-up city (its code is this plus ``00``) no other test uses."""
    return f"8{random.randrange(10**6):06d}"


class TestRegionPrefix:
    @pytest.mark.parametrize(
        ("code", "prefix"), [("350000", "35"), ("350100", "3501"), ("350102", "350102"), ("35", "35")]
    )
    def test_codes_nest_by_pairs_of_digits(self, code: str, prefix: str) -> None:
        assert region_prefix(code) == prefix


class TestWeatherAlerts:
    async def test_every_member_of_the_region_is_told_once(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        city = _city()
        wx = openid()
        inside = [await _member(sessions, service_settings, f"{city}02", wx=wx)]
        inside += [await _member(sessions, service_settings, f"{city}0{n}") for n in (3, 4, 5)]
        outside = await _member(sessions, service_settings, f"{_city()}02")
        no_car = await _member(sessions, service_settings, f"{city}02", car=False)
        opted_out = await _member(sessions, service_settings, f"{city}02")
        async with sessions() as session, session.begin():
            off = {"wechat": False, "sms": False, "inbox": False}
            await preferences.update(session, opted_out, {"reminder": off}, AT)
        alert = weather(f"{city}00")
        await publish(service_settings.kafka_bootstrap_servers, alert, alert)

        state = await _finished(client, identities, alert.data.alert_id)

        assert state["reached"] == 5  # four members and the one who opted out, in chunks of three
        for member in inside:
            assert [i["body"] for i in await inbox(client, identities, member)] == [
                "暴雨橙色预警：市气象台发布暴雨橙色预警。请注意行车安全，如遇出险可一键报案。"
            ]
            assert [i["link"] for i in await inbox(client, identities, member)] == ["/h5/claims/new"]
        assert await inbox(client, identities, outside) == []
        assert await inbox(client, identities, no_car) == []
        assert await inbox(client, identities, opted_out) == []

        async def sent() -> list[dict[str, Any]] | None:
            found: list[dict[str, Any]] = (
                await fakes.wechat.get("/_fake/messages", params={"touser": wx})
            ).json()["items"]
            return found or None

        wechat = await eventually(sent)
        assert [m["data"]["thing1"]["value"] for m in wechat] == ["暴雨橙色预警"]
        # The claims-reporting link, whole: WeChat opens it outside our origin's relative paths.
        assert [m["url"] for m in wechat] == [f"{service_settings.public_base_url}/h5/claims/new"]

    async def test_a_blue_alert_stays_off_sms(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        city = _city()
        member = await _member(sessions, service_settings, f"{city}01", number=phone())
        alert = weather(f"{city}00", level="blue")
        await publish(service_settings.kafka_bootstrap_servers, alert)

        await _finished(client, identities, alert.data.alert_id)

        assert len(await inbox(client, identities, member)) == 1
        log = await client.get(f"/api/v1/audience/{member}/messages", headers=ops(identities))
        assert log.json()["items"] == []

    async def test_an_alert_that_is_over_is_not_sent(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        city = _city()
        member = await _member(sessions, service_settings, f"{city}01")
        alert = weather(f"{city}00", ends_at=AT - timedelta(hours=1))
        await publish(service_settings.kafka_bootstrap_servers, alert)

        state = await _finished(client, identities, alert.data.alert_id)

        assert state["reached"] == 0
        assert await inbox(client, identities, member) == []
