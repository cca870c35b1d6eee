"""Earning rules fed by member events: renewal points by premium, referral points, welcome points; each
credit names its source event and is made once however often the event is delivered."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberPolicyChanged, MemberRegistered, MemberVerified, TierChanged
from cheyou_kit.app import Resources
from cheyou_kit.eventing import EventContext
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.eventing import Context
from privilege_svc.member_projection import service as members
from privilege_svc.points import handlers, repository
from privilege_svc.points import service as points
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

AUDIENCE = "privilege-svc"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def policy_changed(member_id: str, policy_no: str, change: str, premium_fen: int, **fields: Any) -> Any:
    starts_on = fields.pop("starts_on", date(2026, 11, 26))
    return MemberPolicyChanged(
        member_id=member_id,
        policy_no=policy_no,
        change=change,
        line="commercial",
        status="active",
        premium_fen=premium_fen,
        starts_on=starts_on,
        ends_on=starts_on.replace(year=starts_on.year + 1) - timedelta(days=1),
        changed_at=fields.pop("changed_at", datetime.now(UTC)),
        **fields,
    )


def registered(member_id: str, referred_by: str | None) -> MemberRegistered:
    return MemberRegistered(
        member_id=member_id, channel="wechat", registered_at=NOW, referred_by_member_id=referred_by
    )


def verified(member_id: str, at: datetime = NOW) -> MemberVerified:
    return MemberVerified(member_id=member_id, reviewer_id="reviewer1", verified_at=at)


@pytest.fixture
async def ctx(session: AsyncSession, service_settings: Settings) -> AsyncIterator[Context]:
    """What the consumer hands a handler, around the test's rolled-back session."""
    engine = create_async_engine(service_settings.sqlalchemy_url)
    redis = Redis.from_url(service_settings.redis_url)
    yield EventContext(session, service_settings, Resources(service_settings, engine, redis))
    await redis.aclose()
    await engine.dispose()


def envelope(event: Any) -> Envelope[Any]:
    return Envelope.new(event, source="member-svc")


async def ledger(client: httpx.AsyncClient, identities: Identities, member_id: str) -> list[dict[str, Any]]:
    headers = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
    return list((await client.get(f"/api/v1/points/{member_id}/entries", headers=headers)).json()["items"])


async def credits(session: AsyncSession, member_id: str) -> list[tuple[str, int, str | None]]:
    """(reason, points, reference) of the member's ledger, oldest first."""
    entries = (await repository.list_entries(session, member_id, None, 100)).rows
    return [(e.reason, e.points, e.reference_id) for e in reversed(entries)]


class TestRenewalPoints:
    async def test_a_renewal_earns_a_point_per_yuan_of_premium_once(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        member_id, policy_no = str(uuid.uuid4()), f"P-{uuid.uuid4().hex[:12]}"
        renewed = envelope(policy_changed(member_id, policy_no, "renewed", 356_789, previous_policy_no="P-1"))

        await publish(service_settings.kafka_bootstrap_servers, renewed, renewed)

        async def entries() -> list[dict[str, Any]] | None:
            return await ledger(client, identities, member_id) or None

        found = await eventually(entries)
        balance = await client.get(
            f"/api/v1/points/{member_id}", headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        )
        assert [(e["reason"], e["points"], e["reference_id"], e["qualifying"]) for e in found] == [
            ("renewal", 3567, policy_no, True)
        ]
        assert (balance.json()["balance"], balance.json()["qualifying_points"]) == (3567, 3567)

    async def test_a_new_policy_or_an_endorsement_earns_nothing(
        self, session: AsyncSession, ctx: Context
    ) -> None:
        member_id = str(uuid.uuid4())

        await handlers.on_policy_changed(
            ctx, envelope(policy_changed(member_id, f"P-{member_id}", "issued", 500_000))
        )
        await handlers.on_policy_changed(
            ctx, envelope(policy_changed(member_id, f"P-{member_id}", "endorsed", 600_000))
        )

        assert await credits(session, member_id) == []

    async def test_a_renewal_restated_on_joining_earns_nothing(
        self, session: AsyncSession, ctx: Context
    ) -> None:
        member_id = str(uuid.uuid4())
        restated = policy_changed(member_id, f"P-{member_id}", "renewed", 500_000, restated=True)

        await handlers.on_policy_changed(ctx, envelope(restated))

        assert await credits(session, member_id) == []

    async def test_renewals_are_capped_per_member_per_year(self, session: AsyncSession, ctx: Context) -> None:
        member_id = str(uuid.uuid4())

        for n, premium in enumerate([1_500_000, 800_000, 300_000]):
            renewed = policy_changed(
                member_id, f"P-{n}-{member_id}", "renewed", premium, changed_at=NOW + timedelta(hours=n)
            )
            await handlers.on_policy_changed(ctx, envelope(renewed))

        assert await credits(session, member_id) == [
            ("renewal", 15000, f"P-0-{member_id}"),
            ("renewal", 5000, f"P-1-{member_id}"),
        ]


class TestReferralPoints:
    async def test_the_referrer_earns_once_when_the_referred_member_is_verified(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        referrer, newcomer = str(uuid.uuid4()), str(uuid.uuid4())

        await publish(
            service_settings.kafka_bootstrap_servers,
            envelope(registered(newcomer, referrer)),
            envelope(verified(newcomer)),
            envelope(verified(newcomer)),
        )

        async def referrer_entries() -> list[dict[str, Any]] | None:
            return await ledger(client, identities, referrer) or None

        found = await eventually(referrer_entries)
        newcomer_entries = await eventually(lambda: _some(ledger(client, identities, newcomer)))
        assert [(e["reason"], e["points"], e["reference_id"]) for e in found] == [("referral", 200, newcomer)]
        assert [(e["reason"], e["points"]) for e in newcomer_entries] == [("welcome", 100)]

    async def test_nothing_is_due_before_the_verification(self, session: AsyncSession, ctx: Context) -> None:
        referrer, newcomer = str(uuid.uuid4()), str(uuid.uuid4())

        await handlers.on_member_registered(ctx, envelope(registered(newcomer, referrer)))

        assert await credits(session, referrer) == []

    async def test_a_verification_seen_before_the_registration_still_pays_the_referrer(
        self, session: AsyncSession, ctx: Context
    ) -> None:
        referrer, newcomer = str(uuid.uuid4()), str(uuid.uuid4())

        await handlers.on_member_verified(ctx, envelope(verified(newcomer)))
        await handlers.on_member_registered(ctx, envelope(registered(newcomer, referrer)))
        await handlers.on_member_registered(ctx, envelope(registered(newcomer, referrer)))

        assert await credits(session, referrer) == [("referral", 200, newcomer)]

    async def test_a_member_cannot_refer_themself(self, session: AsyncSession, ctx: Context) -> None:
        member_id = str(uuid.uuid4())

        await handlers.on_member_registered(ctx, envelope(registered(member_id, member_id)))
        await handlers.on_member_verified(ctx, envelope(verified(member_id)))

        assert await credits(session, member_id) == [("welcome", 100, None)]

    async def test_referrals_are_capped_per_member_per_year(
        self, session: AsyncSession, ctx: Context
    ) -> None:
        referrer = str(uuid.uuid4())

        for _ in range(6):
            newcomer = str(uuid.uuid4())
            await handlers.on_member_registered(ctx, envelope(registered(newcomer, referrer)))
            await handlers.on_member_verified(ctx, envelope(verified(newcomer)))

        account = await points.balance(session, referrer, now=NOW)
        assert account.balance == 1000  # five referrals of 200: the rule's cap per year
        assert [reason for reason, _, _ in await credits(session, referrer)] == ["referral"] * 5


class TestYearlyCapsFollowThePrivilegeYear:
    async def test_a_yearly_cap_resets_on_the_policy_anniversary_not_on_new_year(
        self, session: AsyncSession
    ) -> None:
        referrer = str(uuid.uuid4())
        await members.apply_tier_change(
            session,
            TierChanged(
                member_id=referrer,
                from_tier=Tier.PROSPECTIVE,
                to_tier=Tier.THREE_STAR,
                contribution_fen=100_000,
                reason="policy_issued",
                changed_at=datetime(2025, 1, 5, tzinfo=UTC),
            ),
        )
        # the privilege year runs from 10 March, the start of the member's policy
        await members.apply_policy_change(
            session, policy_changed(referrer, f"P-{referrer}", "issued", 500_000, starts_on=date(2025, 3, 10))
        )

        async def refer(at: datetime) -> int:
            newcomer = str(uuid.uuid4())
            entry = await points.award(
                session, "referral", referrer, f"referral:{newcomer}", reference_id=newcomer, now=at
            )
            return 0 if entry is None else entry.points

        december = [await refer(datetime(2025, 12, 20, 9, n, tzinfo=UTC)) for n in range(5)]
        new_year = await refer(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
        anniversary = await refer(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))

        assert december == [200] * 5  # the rule's cap: 1000 a year
        assert new_year == 0  # a new calendar year, the same privilege year
        assert anniversary == 200  # a new privilege year

    async def test_a_member_privilege_svc_does_not_know_yet_is_capped_per_calendar_year(
        self, session: AsyncSession
    ) -> None:
        referrer = str(uuid.uuid4())

        async def refer(at: datetime) -> int:
            newcomer = str(uuid.uuid4())
            entry = await points.award(session, "referral", referrer, f"referral:{newcomer}", now=at)
            return 0 if entry is None else entry.points

        december = [await refer(datetime(2025, 12, 20, 9, n, tzinfo=UTC)) for n in range(6)]
        new_year = await refer(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

        assert december == [200] * 5 + [0]
        assert new_year == 200


async def _some(probe: Any) -> list[dict[str, Any]] | None:
    return await probe or None
