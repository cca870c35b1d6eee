"""The points ledger: lots with expiry, earliest-expiry-first debits, exact reversals, rules and caps."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.member import MemberVerified
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.points import repository, service
from privilege_svc.points.errors import InsufficientPoints
from privilege_svc.points.models import PointsAllocation, PointsLot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]


def member() -> str:
    return str(uuid.uuid4())


async def lots(session: AsyncSession, member_id: str) -> list[tuple[int, int]]:
    """(points, remaining) of each lot, earliest expiry first."""
    rows = await session.scalars(
        select(PointsLot).where(PointsLot.member_id == member_id).order_by(PointsLot.expires_at)
    )
    return [(lot.points, lot.remaining) for lot in rows]


async def three_lots(session: AsyncSession, member_id: str) -> None:
    """100 points expiring in 30 days, 50 in 10 days, 80 in 400 days."""
    await service.credit(session, member_id, 100, "adjustment", validity_days=30, now=NOW)
    await service.credit(session, member_id, 50, "adjustment", validity_days=10, now=NOW)
    await service.credit(session, member_id, 80, "adjustment", validity_days=400, now=NOW)


class TestDebit:
    async def test_a_debit_takes_from_the_lots_that_expire_first(self, session: AsyncSession) -> None:
        member_id = member()
        await three_lots(session, member_id)

        entry = await service.debit(session, member_id, 120, "redemption", now=NOW)

        assert entry.balance_after == 110
        assert await lots(session, member_id) == [(50, 0), (100, 30), (80, 80)]
        links = await session.scalars(
            select(PointsAllocation.points).where(PointsAllocation.debit_entry_id == entry.id)
        )
        assert sorted(links) == [50, 70]

    async def test_more_than_the_balance_is_refused_and_nothing_changes(self, session: AsyncSession) -> None:
        member_id = member()
        await three_lots(session, member_id)

        with pytest.raises(InsufficientPoints):
            await service.debit(session, member_id, 231, "redemption", now=NOW)

        assert (await service.balance(session, member_id, now=NOW)).balance == 230
        assert await lots(session, member_id) == [(50, 50), (100, 100), (80, 80)]

    async def test_expired_lots_cannot_be_spent_even_before_the_expiry_job(
        self, session: AsyncSession
    ) -> None:
        member_id = member()
        await three_lots(session, member_id)
        later = NOW + timedelta(days=31)

        with pytest.raises(InsufficientPoints):
            await service.debit(session, member_id, 81, "redemption", now=later)

        assert (await service.balance(session, member_id, now=later)).balance == 80


class TestReverse:
    async def test_a_reversal_restores_exactly_the_lots_the_debit_used(self, session: AsyncSession) -> None:
        member_id = member()
        await three_lots(session, member_id)
        first = await service.debit(session, member_id, 120, "order_payment", now=NOW)
        await service.debit(session, member_id, 40, "redemption", now=NOW)

        reversal = await service.reverse(session, first.id, "order_release", now=NOW)

        assert reversal.points == 120
        assert reversal.balance_after == 190
        assert await lots(session, member_id) == [(50, 50), (100, 70), (80, 70)]

    async def test_reversing_twice_gives_back_once(self, session: AsyncSession) -> None:
        member_id = member()
        await three_lots(session, member_id)
        debit = await service.debit(session, member_id, 60, "order_payment", now=NOW)

        first = await service.reverse(session, debit.id, now=NOW)
        second = await service.reverse(session, debit.id, now=NOW)

        assert first.id == second.id
        assert (await service.balance(session, member_id, now=NOW)).balance == 230


class TestAward:
    async def test_the_same_source_is_credited_once(self, session: AsyncSession) -> None:
        member_id = member()

        first = await service.award(session, "welcome", member_id, f"welcome:{member_id}", now=NOW)
        second = await service.award(session, "welcome", member_id, f"welcome:{member_id}", now=NOW)

        assert first is not None
        assert second is None
        assert (await service.balance(session, member_id, now=NOW)).balance == 100

    async def test_the_cap_per_period_limits_what_a_rule_gives(self, session: AsyncSession) -> None:
        member_id = member()

        awarded = [
            await service.award(session, "order_rating", member_id, f"rating:{i}", now=NOW) for i in range(8)
        ]

        assert [a.points if a else 0 for a in awarded] == [5, 5, 5, 5, 5, 5, 0, 0]
        next_month = await service.award(
            session, "order_rating", member_id, "rating:9", now=NOW + timedelta(days=10)
        )
        assert next_month is not None

    async def test_renewal_points_follow_the_premium_and_count_toward_the_tier(
        self, session: AsyncSession
    ) -> None:
        member_id = member()

        entry = await service.award(
            session, "policy_renewal", member_id, "renewal:P-1", amount_fen=356_789, now=NOW
        )
        await service.debit(session, member_id, 3000, "redemption", now=NOW)

        assert entry is not None
        assert entry.points == 3567
        account = await repository.get_account(session, member_id)
        assert account is not None
        assert (account.balance, account.qualifying_points) == (567, 3567)


class TestExpiry:
    async def test_the_job_debits_what_is_left_of_expired_lots(self, session: AsyncSession) -> None:
        member_id = member()
        await three_lots(session, member_id)
        await service.debit(session, member_id, 70, "redemption", now=NOW)

        await service.expire_due(session, now=NOW + timedelta(days=31))

        assert await lots(session, member_id) == [(50, 0), (100, 0), (80, 80)]
        account = await repository.get_account(session, member_id)
        assert account is not None
        assert account.balance == 80

    async def test_a_reminder_is_sent_once_per_lot(self, session: AsyncSession) -> None:
        member_id = member()
        await three_lots(session, member_id)

        first = await service.remind_expiring(session, days=30, now=NOW)
        second = await service.remind_expiring(session, days=30, now=NOW)

        assert first >= 2
        assert second == 0


class TestWelcomePoints:
    async def test_verification_earns_welcome_points_once_even_if_announced_twice(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        service_settings: Settings,
    ) -> None:
        member_id = str(uuid.uuid4())
        verified = MemberVerified(member_id=member_id, reviewer_id="reviewer1", verified_at=datetime.now(UTC))
        headers = identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(verified, source="member-svc"),
            Envelope.new(verified, source="member-svc"),
        )

        async def entries() -> list[Any] | None:
            items = (await client.get(f"/api/v1/points/{member_id}/entries", headers=headers)).json()["items"]
            return items if items else None

        found = await eventually(entries)
        response = await client.get(f"/api/v1/points/{member_id}", headers=headers)
        assert [(e["reason"], e["points"]) for e in found] == [("welcome", 100)]
        assert response.json()["balance"] == 100
        assert response.json()["expiring"][0]["points"] == 100


class TestGetBalance:
    async def test_a_member_cannot_read_someone_elses_points(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            f"/api/v1/points/{uuid.uuid4()}",
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.uuid4()),
        )

        assert response.status_code == 404


class TestAdjust:
    async def test_ops_adjust_with_a_reason_that_the_ledger_keeps(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = str(uuid.uuid4())
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")

        added = await client.post(
            f"/api/v1/points/{member_id}/adjustments", json={"points": 300, "reason": "goodwill"}, headers=ops
        )
        removed = await client.post(
            f"/api/v1/points/{member_id}/adjustments",
            json={"points": -120, "reason": "duplicate"},
            headers=ops,
        )
        balance = await client.get(f"/api/v1/points/{member_id}", headers=ops)

        assert (added.status_code, removed.status_code) == (201, 201)
        assert (removed.json()["actor"], removed.json()["note"]) == ("ops1", "duplicate")
        assert balance.json()["balance"] == 180

    async def test_removing_more_than_the_balance_is_refused(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = str(uuid.uuid4())
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")

        response = await client.post(
            f"/api/v1/points/{member_id}/adjustments", json={"points": -1, "reason": "oops"}, headers=ops
        )
        entries = await client.get(f"/api/v1/points/{member_id}/entries", headers=ops)

        assert response.status_code == 422
        assert response.json()["field"] == "points"
        assert entries.json()["items"] == []

    async def test_a_member_cannot_adjust_points(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = uuid.uuid4()

        response = await client.post(
            f"/api/v1/points/{member_id}/adjustments",
            json={"points": 1000, "reason": "please"},
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id),
        )

        assert response.status_code == 403


class TestMaintenanceRun:
    async def test_ops_expire_due_points_now(
        self, client: httpx.AsyncClient, identities: Identities, committed: async_sessionmaker[AsyncSession]
    ) -> None:
        member_id = member()
        async with committed() as session, session.begin():
            await service.credit(
                session,
                member_id,
                70,
                "adjustment",
                validity_days=1,
                now=datetime.now(UTC) - timedelta(days=2),
            )
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")

        response = await client.post("/api/v1/points/maintenance-runs", headers=ops)
        entries = (await client.get(f"/api/v1/points/{member_id}/entries", headers=ops)).json()["items"]

        assert response.status_code == 200
        assert response.json()["members_expired"] >= 1
        assert [(e["direction"], e["reason"], e["points"]) for e in entries] == [
            ("debit", "expiry", 70),
            ("credit", "adjustment", 70),
        ]

    async def test_a_member_cannot_run_the_job(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/points/maintenance-runs",
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.uuid4()),
        )

        assert response.status_code == 403


class TestUpdateRule:
    @pytest.mark.parametrize("field", ["points", "validity_days", "qualifying", "active"])
    async def test_null_for_a_field_every_rule_has_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, identities: Identities, field: str
    ) -> None:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        before = (await client.get("/api/v1/points/rules", headers=ops)).json()

        response = await client.patch("/api/v1/points/rules/policy_renewal", json={field: None}, headers=ops)
        after = (await client.get("/api/v1/points/rules", headers=ops)).json()

        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
        assert after == before
