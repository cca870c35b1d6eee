"""Annual-inspection reminders from ``member.vehicles_changed`` and the inspection rules (data)."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings
from notify_svc.reminders import service
from notify_svc.reminders.inspection import Due, next_due
from notify_svc.reminders.models import Vehicle
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Fakes
from tests.factories import contact, member_id, openid, plate, vehicles
from tests.reminders.helpers import inbox, ops

TODAY = date(2026, 11, 25)


async def _projected(sessions: async_sessionmaker[AsyncSession], member: str) -> list[Vehicle] | None:
    async with sessions() as session:
        rows = list((await session.scalars(select(Vehicle).where(Vehicle.member_id == member))).all())
    return rows or None


async def _run(client: httpx.AsyncClient, identities: Identities, day: date) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/reminders/runs",
        json={"job": "inspection", "on": day.isoformat()},
        headers=ops(identities),
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


class TestNextDue:
    @pytest.mark.parametrize(
        ("registered_on", "today", "due"),
        [
            (date(2020, 3, 10), date(2021, 12, 1), Due(date(2022, 3, 10), "label")),
            (date(2020, 3, 10), date(2022, 3, 11), Due(date(2024, 3, 10), "label")),
            (date(2020, 3, 10), date(2024, 3, 11), Due(date(2026, 3, 10), "inspection")),
            (date(2020, 3, 10), date(2026, 3, 11), Due(date(2027, 3, 10), "inspection")),
            (date(2010, 5, 31), date(2025, 6, 1), Due(date(2025, 11, 30), "inspection")),
            (date(2010, 5, 31), date(2025, 12, 1), Due(date(2026, 5, 31), "inspection")),
            (date(2016, 2, 29), date(2026, 11, 25), Due(date(2027, 2, 28), "inspection")),
        ],
    )
    async def test_private_car_rules(
        self, session: AsyncSession, registered_on: date, today: date, due: Due
    ) -> None:
        rules = await service.inspection_rules(session)

        assert next_due(registered_on, rules["household_car"], today) == due

    def test_no_rule_no_due_date(self) -> None:
        assert next_due(date(2020, 1, 1), [], TODAY) is None


class TestInspectionReminders:
    async def test_reminds_the_owner_once_with_what_is_due(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member, wx, car = member_id(), openid(), plate()
        registered = date(2020, 12, 20)  # six years old on 2026-12-20: the first on-site inspection
        await publish(
            service_settings.kafka_bootstrap_servers,
            contact(member, wx, None),
            vehicles(member, (car, registered, "household_car")),
        )
        await eventually(lambda: _projected(sessions, member))

        first = await _run(client, identities, TODAY)
        again = await _run(client, identities, TODAY)

        assert first["inbox_items"] >= 1
        assert (again["messages"], again["inbox_items"]) == (0, 0)
        items = await inbox(client, identities, member)
        assert [i["body"] for i in items] == [f"您的车辆{car}应于2026年12月20日前完成年检（上线检测）。"]

        async def sent() -> list[dict[str, Any]] | None:
            found: list[dict[str, Any]] = (
                await fakes.wechat.get("/_fake/messages", params={"touser": wx})
            ).json()["items"]
            return found or None

        message = (await eventually(sent))[0]
        assert message["template_id"] == "TPL_INSPECTION_REMINDER"
        assert message["data"]["phrase3"] == {"value": "上线检测"}

    async def test_a_vehicle_not_due_within_the_offsets_is_not_reminded(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        member = member_id()
        registered = date(2024, 6, 1)  # label due 2026-06-01 passed; the next on 2028-06-01
        await publish(
            service_settings.kafka_bootstrap_servers, vehicles(member, (plate(), registered, "household_car"))
        )
        await eventually(lambda: _projected(sessions, member))

        await _run(client, identities, TODAY)

        assert await inbox(client, identities, member) == []

    async def test_sold_vehicles_leave_the_projection(
        self, service_settings: Settings, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        member, kept, sold = member_id(), plate(), plate()
        await publish(
            service_settings.kafka_bootstrap_servers,
            vehicles(member, (kept, date(2020, 1, 1), "household_car"), (sold, None, "household_car")),
            vehicles(member, (kept, date(2020, 1, 1), "household_car")),
        )

        async def one_left() -> list[Vehicle] | None:
            rows = await _projected(sessions, member)
            return rows if rows is not None and len(rows) == 1 else None

        assert [v.plate for v in await eventually(one_left)] == [kept]


class TestInspectionRules:
    async def test_rules_are_data_ops_can_change(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        rules = {"rules": [{"from_age_years": 0, "interval_months": 12, "action": "inspection"}]}
        put = await client.put(
            "/api/v1/reminders/inspection-rules/other", json=rules, headers=ops(identities)
        )
        assert put.status_code == 200
        assert [(r["kind"], r["interval_months"], r["to_age_years"]) for r in put.json()["items"]] == [
            ("other", 12, None)
        ]
        member = member_id()
        registered = TODAY - timedelta(days=350)
        await publish(
            service_settings.kafka_bootstrap_servers, vehicles(member, (plate(), registered, "other"))
        )
        await eventually(lambda: _projected(sessions, member))

        await _run(client, identities, TODAY)

        items = await inbox(client, identities, member)
        assert len(items) == 1
        assert "2026年12月10日" in items[0]["body"]

    async def test_the_seeded_private_car_rules_are_listed(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        listed = (await client.get("/api/v1/reminders/inspection-rules", headers=ops(identities))).json()
        cars = [r for r in listed["items"] if r["kind"] == "household_car"]
        assert [
            (r["from_age_years"], r["to_age_years"], r["interval_months"], r["action"]) for r in cars
        ] == [
            (0, 6, 24, "label"),
            (6, 15, 12, "inspection"),
            (15, None, 6, "inspection"),
        ]

    async def test_rules_with_a_gap_are_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        rules = {
            "rules": [
                {"from_age_years": 0, "to_age_years": 6, "interval_months": 24, "action": "label"},
                {"from_age_years": 7, "interval_months": 12, "action": "inspection"},
            ]
        }
        response = await client.put(
            "/api/v1/reminders/inspection-rules/motorcycle", json=rules, headers=ops(identities)
        )
        assert response.status_code == 422
        listed = (await client.get("/api/v1/reminders/inspection-rules", headers=ops(identities))).json()
        assert [r["from_age_years"] for r in listed["items"] if r["kind"] == "motorcycle"] == [0, 6]

    async def test_members_cannot_change_rules(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member_id())
        rules = {"rules": [{"from_age_years": 0, "interval_months": 1, "action": "inspection"}]}
        response = await client.put("/api/v1/reminders/inspection-rules/other", json=rules, headers=headers)
        assert response.status_code == 403
