"""Tier-rule dry runs: the evaluation's own decision counted from tier to tier, nothing written."""

import os
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from cheyou_events.catalogue.policy import PolicyIssued, PolicyLine, VehicleKind
from cheyou_events.fieldcrypt import Keyring
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.members import repository as members_repository
from member_svc.members import service as members_service
from member_svc.members.models import Member
from member_svc.members.schemas import MemberCreate
from member_svc.pii import PiiCipher
from member_svc.policies import service as policies_service
from member_svc.tiers import service
from member_svc.tiers.models import DowngradeNotice, TierChange, TierRules
from member_svc.tiers.schemas import DryRunRead, FloorSet, RulesDocument
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import registration  # noqa: TID252

PII = PiiCipher(Keyring([os.urandom(32)]), os.urandom(32))
NOW = datetime.now(UTC)
RULES = {  # the seeded version 1
    "premium_weight": 1.0,
    "per_year_fen": 20_000,
    "max_years": 10,
    "per_extra_line_fen": 50_000,
    "per_renewal_fen": 30_000,
    "max_renewals": 5,
    "per_claim_fen": 50_000,
    "claims_window_days": 365,
    "thresholds_fen": {"three_star": 600_000, "four_star": 1_200_000, "five_star": 2_500_000},
    "grace_days": 30,
}
# The seeded rules with four stars from 900 000 fen (lowered) and three from 750 000 fen (raised).
NEW_RULES = RulesDocument.model_validate(
    {**RULES, "thresholds_fen": {"three_star": 750_000, "four_star": 900_000, "five_star": 2_500_000}}
)


def cells(run: DryRunRead) -> Counter[tuple[str, str, int]]:
    """The matrix as (from, to, after_grace) → members, so two runs can be subtracted."""
    counted: Counter[tuple[str, str, int]] = Counter()
    for move in run.moves:
        counted[(move.from_tier, move.to_tier, 0)] += move.members - move.after_grace
        counted[(move.from_tier, move.to_tier, 1)] += move.after_grace
    return counted


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.OPS, subject="ops1", staff_id="ops1")


async def member_at(session: AsyncSession, premium_fen: int) -> Member:
    """A verified member whose contribution is ``premium_fen`` under the seeded rules (one new policy)."""
    member = await members_service.register(session, PII, MemberCreate.model_validate(registration()), NOW)
    await members_service.mark_verified(session, PII, member, "reviewer1", NOW)
    await policies_service.record_issued(
        session,
        PolicyIssued(
            policy_no=f"P-{member.id.hex[:10]}",
            customer_no=f"C-{member.id}",
            line=PolicyLine.COMMERCIAL,
            vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
            premium_fen=premium_fen,
            starts_on=NOW.date() - timedelta(days=30),
            ends_on=NOW.date() + timedelta(days=335),
            branch_code="350100",
            issued_at=NOW,
            holder_id_hash=member.id_hash,
        ),
    )
    return member


async def tier_of(session: AsyncSession, member: Member) -> tuple[str, int]:
    fresh = await members_repository.get(session, member.id)
    assert fresh is not None
    await session.refresh(fresh)
    return fresh.tier, fresh.contribution_fen


async def written(session: AsyncSession) -> tuple[int, ...]:
    counts = []
    for table in (TierRules, TierChange, DowngradeNotice):
        counts.append(int(await session.scalar(select(func.count()).select_from(table)) or 0))
    return tuple(counts)


class TestDryRun:
    async def test_moves_exactly_the_members_the_new_thresholds_move_and_writes_nothing(
        self, session: AsyncSession
    ) -> None:
        today = NOW.date()
        # Members committed by other tests are in the database too: count the difference ours make.
        before = await service.dry_run(session, NEW_RULES, today, chunk_size=100)
        up = await member_at(session, 1_000_000)  # three-star now; four-star from 900 000
        down = await member_at(session, 700_000)  # three-star now; ordinary from 750 000, after the grace
        stays = await member_at(session, 300_000)  # ordinary either way
        floored = await member_at(session, 700_000)  # would go down, but a floor holds three stars
        await service.set_floor(
            session,
            floored,
            FloorSet(tier="three_star", reason="VIP", expires_on=today + timedelta(days=90)),
            "ops1",
            NOW,
        )
        tiers = {m.id: await tier_of(session, m) for m in (up, down, stays, floored)}
        assert list(tiers.values()) == [
            ("three_star", 1_000_000),
            ("three_star", 700_000),
            ("ordinary", 300_000),
            ("three_star", 700_000),
        ]
        writes = await written(session)

        after = await service.dry_run(session, NEW_RULES, today, chunk_size=100)
        in_small_chunks = await service.dry_run(session, NEW_RULES, today, chunk_size=1)

        moved = cells(after) - cells(before)
        assert +moved == Counter(
            {
                ("three_star", "four_star", 0): 1,
                ("three_star", "ordinary", 1): 1,
                ("ordinary", "ordinary", 0): 1,
                ("three_star", "three_star", 0): 1,
            }
        )
        assert (after.upgrades - before.upgrades, after.downgrades - before.downgrades) == (1, 1)
        assert after.downgrades_after_grace - before.downgrades_after_grace == 1
        assert (after.unchanged - before.unchanged, after.members - before.members) == (2, 4)
        assert in_small_chunks == after
        assert await written(session) == writes
        assert {m.id: await tier_of(session, m) for m in (up, down, stays, floored)} == tiers

    async def test_the_rules_in_force_move_nobody_up(self, session: AsyncSession) -> None:
        await member_at(session, 1_000_000)
        current = RulesDocument.model_validate((await service.current_rules(session)).rules)

        run = await service.dry_run(session, current, NOW.date())

        assert run.upgrades == 0
        assert run.rules_version >= 1


class TestDryRunRoute:
    async def test_ops_get_the_matrix_and_no_new_version(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        rules = {**RULES, "thresholds_fen": {"three_star": 100, "four_star": 200, "five_star": 300}}
        versions = await client.get("/api/v1/tier-rules/versions", headers=ops(identities))

        response = await client.post(
            "/api/v1/tier-rules/dry-run", json={"rules": rules, "note": "what if"}, headers=ops(identities)
        )

        assert response.status_code == 200
        body = response.json()
        assert body["members"] == body["upgrades"] + body["downgrades"] + body["unchanged"]
        assert body["members"] == sum(m["members"] for m in body["moves"])
        after = await client.get("/api/v1/tier-rules/versions", headers=ops(identities))
        assert len(after.json()) == len(versions.json())

    async def test_falling_thresholds_are_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        rules = {**RULES, "thresholds_fen": {"three_star": 900, "four_star": 800, "five_star": 1000}}

        response = await client.post(
            "/api/v1/tier-rules/dry-run", json={"rules": rules, "note": "oops"}, headers=ops(identities)
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.rules.thresholds_fen"

    async def test_managers_and_members_may_not_dry_run(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        for headers in (
            identities.headers("member-svc", Role.MANAGER, staff_id="manager1"),
            identities.headers("member-svc", Role.MEMBER),
        ):
            response = await client.post(
                "/api/v1/tier-rules/dry-run", json={"rules": RULES, "note": "mine"}, headers=headers
            )
            assert response.status_code == 403
