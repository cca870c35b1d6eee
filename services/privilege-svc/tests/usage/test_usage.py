"""Usage statistics come from the orders: the case study's 2014 table is reproduced from its data."""

import uuid
from datetime import UTC, datetime

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from privilege_svc.usage import service
from sqlalchemy.ext.asyncio import AsyncSession

from .seed_2014 import seed_2014

AUDIENCE = "privilege-svc"


class TestUsage:
    async def test_the_2014_table_is_reproduced_from_orders_and_redemptions(
        self, session: AsyncSession
    ) -> None:
        await seed_2014(session)

        usage = await service.usage(
            session, datetime(2014, 3, 1, tzinfo=UTC), datetime(2015, 1, 1, tzinfo=UTC)
        )

        completed = {p.privilege_code: p for p in usage.privileges}
        assert completed["annual_inspection_agency"].completed == 586
        assert completed["annual_inspection_agency"].name == "代办年检"
        assert completed["car_wash"].completed == 1350
        assert completed["fuel_discount"].completed == 204
        star = {"three_star", "four_star", "five_star"}
        assert sum(t.completed for t in completed["after_drinking_driving"].by_tier if t.tier in star) == 46
        assert usage.points_redemptions == 1091

    async def test_a_period_outside_the_data_counts_nothing(self, session: AsyncSession) -> None:
        await seed_2014(session)

        usage = await service.usage(
            session, datetime(2015, 3, 1, tzinfo=UTC), datetime(2016, 1, 1, tzinfo=UTC)
        )

        assert (usage.orders_completed, usage.points_redemptions) == (0, 0)


class TestUsageRoute:
    async def test_a_member_cannot_read_the_statistics(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            "/api/v1/privileges/usage?from=2014-03-01T00:00:00Z&to=2015-01-01T00:00:00Z",
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.uuid4()),
        )

        assert response.status_code == 403

    async def test_a_period_that_ends_before_it_starts_is_refused(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            "/api/v1/privileges/usage?from=2015-01-01T00:00:00Z&to=2014-03-01T00:00:00Z",
            headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1"),
        )

        assert response.status_code == 400
        assert response.json()["field"] == "to"
