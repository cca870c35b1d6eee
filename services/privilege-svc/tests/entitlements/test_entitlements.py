"""Entitlements follow the member's tier; a tier change pushes what was granted and revoked."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import TierChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, publish
from privilege_svc.config import Settings
from privilege_svc.entitlements.service import period_bounds

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
