"""Traffic-violation reminders from ``external.feed.events``, matched to members by plate."""

from datetime import date
from typing import Any

import httpx
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings
from notify_svc.reminders import jobs
from notify_svc.reminders.models import TrafficViolation, Vehicle
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Fakes
from tests.factories import contact, member_id, openid, plate, vehicles, violation
from tests.reminders.helpers import inbox


async def _owned(sessions: async_sessionmaker[AsyncSession], car: str) -> Vehicle | None:
    async with sessions() as session:
        return await session.scalar(select(Vehicle).where(Vehicle.plate == car))


class TestViolationReminders:
    async def test_the_owner_is_reminded_once_per_violation(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member, wx, car = member_id(), openid(), plate()
        await publish(
            service_settings.kafka_bootstrap_servers,
            contact(member, wx, None),
            vehicles(member, (car, date(2021, 5, 1), "household_car")),
        )
        await eventually(lambda: _owned(sessions, car))
        first = violation(car)
        await publish(service_settings.kafka_bootstrap_servers, first, first)
        await publish(service_settings.kafka_bootstrap_servers, violation(car))

        async def two() -> list[dict[str, Any]] | None:
            items = await inbox(client, identities, member)
            return items if len(items) >= 2 else None

        items = await eventually(two)
        assert [i["title"] for i in items] == ["交通违章提醒"] * 2
        assert items[0]["body"] == (
            f"您的车辆{car}有新的违章记录：11月20日在福州市五四路违反禁令标志指示，罚款200元，记3分。"
            "可预约代办违章。"
        )
        assert items[0]["link"] == "/h5/privileges/violation_agency/book"

        async def sent() -> list[dict[str, Any]] | None:
            found: list[dict[str, Any]] = (
                await fakes.wechat.get("/_fake/messages", params={"touser": wx})
            ).json()["items"]
            return found if len(found) >= 2 else None

        assert [m["data"]["car_number1"]["value"] for m in await eventually(sent)] == [car, car]

    async def test_a_vehicle_projected_later_is_caught_by_the_sweep(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member, car = member_id(), plate()
        event = violation(car)
        await publish(service_settings.kafka_bootstrap_servers, event)

        async def stored() -> TrafficViolation | None:
            async with sessions() as session:
                return await session.get(TrafficViolation, event.data.violation_id)

        await eventually(stored)
        await publish(
            service_settings.kafka_bootstrap_servers, vehicles(member, (car, None, "household_car"))
        )
        await eventually(lambda: _owned(sessions, car))
        assert await inbox(client, identities, member) == []

        await jobs.run(sessions, "violations", service_settings, date(2026, 11, 25))
        await jobs.run(sessions, "violations", service_settings, date(2026, 11, 25))

        assert [i["title"] for i in await inbox(client, identities, member)] == ["交通违章提醒"]
