"""Entitlements follow the member's tier; a tier change pushes what was granted and revoked."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberPolicyChanged, TierChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.entitlements import service as entitlements
from privilege_svc.entitlements.service import period_bounds
from privilege_svc.member_projection import service as members
from privilege_svc.privileges import service as privileges
from sqlalchemy.ext.asyncio import AsyncSession

NewMember = Callable[..., Awaitable[str]]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]

AUDIENCE = "privilege-svc"


class TestGetEntitlements:
    async def test_a_star_member_sees_free_after_drinking_driving_with_its_quota(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member(Tier.THREE_STAR)

        response = await client.get(
            f"/api/v1/entitlements/{member_id}",
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id),
        )

        assert response.status_code == 200
        body = response.json()
        assert body["tier"] == "three_star"
        items = {e["privilege_code"]: e for e in body["items"]}
        assert items["after_drinking_driving"]["mode"] == "free"
        assert items["after_drinking_driving"]["price_fen"] == 0
        assert (items["after_drinking_driving"]["quota"], items["after_drinking_driving"]["remaining"]) == (
            2,
            2,
        )
        assert items["rescue_towing"]["remaining"] is None

    async def test_an_ordinary_member_is_not_offered_airport_vip_and_pays_half_for_a_wash(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member(Tier.ORDINARY)

        response = await client.get(
            f"/api/v1/entitlements/{member_id}",
            headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1"),
        )

        items = {e["privilege_code"]: e for e in response.json()["items"]}
        assert "airport_vip" not in items
        assert "after_drinking_driving" not in items
        assert items["car_wash"]["price_fen"] == items["car_wash"]["list_price_fen"] // 2

    async def test_a_member_cannot_read_someone_elses_entitlements(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member(Tier.FIVE_STAR)

        response = await client.get(
            f"/api/v1/entitlements/{member_id}",
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.uuid4()),
        )

        assert response.status_code == 404

    async def test_a_member_without_a_tier_is_not_found(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = str(uuid.uuid4())

        response = await client.get(
            f"/api/v1/entitlements/{member_id}",
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id),
        )

        assert response.status_code == 404
        assert response.json()["type"].endswith("/member-not-known")


@pytest.mark.usefixtures("client")
class TestTierChangedPush:
    async def test_an_upgrade_to_three_star_grants_free_after_drinking_driving_and_airport_vip(
        self, service_settings: Settings, new_member: NewMember, emitted: Emitted
    ) -> None:
        member_id = await new_member(Tier.ORDINARY)
        upgrade = TierChanged(
            member_id=member_id,
            from_tier=Tier.ORDINARY,
            to_tier=Tier.THREE_STAR,
            contribution_fen=800_000,
            reason="policy_renewed",
            changed_at=datetime.now(UTC),
        )

        await publish(service_settings.kafka_bootstrap_servers, Envelope.new(upgrade, source="member-svc"))

        [push] = await emitted("cheyou.privilege.entitlements_changed.v1", member_id)
        assert (push["from_tier"], push["tier"]) == ("ordinary", "three_star")
        granted = {e["privilege_id"]: e for e in push["granted"]}
        assert set(granted) == {"after_drinking_driving", "airport_vip"}
        assert granted["after_drinking_driving"]["name"] == "酒后代驾"
        assert (granted["after_drinking_driving"]["mode"], granted["after_drinking_driving"]["quota"]) == (
            "free",
            2,
        )
        changed = {e["privilege_id"]: e["mode"] for e in push["changed"]}
        assert changed["inspection_driving"] == "free"
        assert changed["car_wash"] == "free"
        assert push["revoked"] == []

    async def test_a_downgrade_revokes_what_the_star_tier_offered(
        self, service_settings: Settings, new_member: NewMember, emitted: Emitted
    ) -> None:
        member_id = await new_member(Tier.FOUR_STAR)
        downgrade = TierChanged(
            member_id=member_id,
            from_tier=Tier.FOUR_STAR,
            to_tier=Tier.ORDINARY,
            contribution_fen=100_000,
            reason="recalculation",
            changed_at=datetime.now(UTC),
        )

        await publish(service_settings.kafka_bootstrap_servers, Envelope.new(downgrade, source="member-svc"))

        [push] = await emitted("cheyou.privilege.entitlements_changed.v1", member_id)
        assert {e["privilege_id"] for e in push["revoked"]} == {"after_drinking_driving", "airport_vip"}
        assert push["granted"] == []


class TestPeriodBounds:
    def test_the_privilege_year_runs_from_the_members_anniversary(self) -> None:
        assert period_bounds("year", date(2024, 3, 15), date(2026, 11, 25)) == (
            date(2026, 3, 15),
            date(2027, 3, 15),
        )

    def test_before_the_anniversary_the_year_began_last_year(self) -> None:
        assert period_bounds("year", date(2024, 12, 1), date(2026, 11, 25)) == (
            date(2025, 12, 1),
            date(2026, 12, 1),
        )

    def test_a_monthly_quota_resets_on_the_first(self) -> None:
        assert period_bounds("month", None, date(2026, 12, 9)) == (date(2026, 12, 1), date(2027, 1, 1))


def policy(member_id: str, starts_on: date, *, status: str = "active", line: str = "commercial") -> Any:
    return MemberPolicyChanged(
        member_id=member_id,
        policy_no=f"P-{uuid.uuid4().hex[:8]}",
        change="issued",
        line=line,
        status=status,
        premium_fen=400_000,
        starts_on=starts_on,
        ends_on=starts_on.replace(year=starts_on.year + 1) - timedelta(days=1),
        changed_at=datetime.now(UTC),
    )


class TestPolicyYear:
    async def test_quotas_run_from_the_policy_start_announced_by_member_svc(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        service_settings: Settings,
        new_member: NewMember,
    ) -> None:
        member_id = await new_member(Tier.THREE_STAR)
        starts_on = datetime.now(UTC).date() - timedelta(days=100)
        headers = identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(policy(member_id, starts_on), source="member-svc"),
        )

        async def anchored() -> dict[str, Any] | None:
            items = (await client.get(f"/api/v1/entitlements/{member_id}", headers=headers)).json()["items"]
            driving = next(e for e in items if e["privilege_code"] == "after_drinking_driving")
            return driving if driving["period_start"] == starts_on.isoformat() else None

        driving = await eventually(anchored)
        _, period_end = period_bounds("year", starts_on, starts_on)
        assert period_end is not None
        assert driving["period_end"] == period_end.isoformat()

    async def test_the_quota_resets_on_the_policy_anniversary_not_on_new_year(
        self, session: AsyncSession
    ) -> None:
        member_id = str(uuid.uuid4())
        await members.project_tier(session, member_id, Tier.THREE_STAR, datetime(2026, 1, 10, tzinfo=UTC))
        await members.apply_policy_change(session, policy(member_id, date(2026, 3, 15)))
        terms = await privileges.terms_of(session, "after_drinking_driving", Tier.THREE_STAR)
        assert terms is not None
        for _ in range(2):
            await entitlements.reserve_quota(session, member_id, terms, date(2026, 3, 15))

        def left(views: list[entitlements.EntitlementView]) -> int | None:
            return next(v.remaining for v in views if v.privilege.code == "after_drinking_driving")

        _, in_january = await entitlements.entitlements_for(session, member_id, today=date(2027, 1, 5))
        _, on_anniversary = await entitlements.entitlements_for(session, member_id, today=date(2027, 3, 15))
        assert (left(in_january), left(on_anniversary)) == (0, 2)

    async def test_a_lapsed_policy_no_longer_anchors_the_year(self, session: AsyncSession) -> None:
        member_id = str(uuid.uuid4())
        await members.project_tier(session, member_id, Tier.THREE_STAR, datetime(2026, 1, 10, tzinfo=UTC))
        await members.apply_policy_change(session, policy(member_id, date(2026, 3, 15), status="lapsed"))
        await members.apply_policy_change(session, policy(member_id, date(2026, 6, 1), line="compulsory"))

        _, views = await entitlements.entitlements_for(session, member_id, today=date(2026, 11, 25))

        assert {v.period_start for v in views if v.terms.period == "year"} == {date(2026, 6, 1)}
