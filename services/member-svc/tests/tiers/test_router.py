import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually
from member_svc.config import Settings
from member_svc.tiers import service
from member_svc.tiers.models import EvaluationRun
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from ..factories import register, verify  # noqa: TID252

RULES = {
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


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers("member-svc", Role.OPS, subject="ops1", staff_id="ops1")


class TestAddRules:
    async def test_a_new_version_keeps_the_old_ones_with_who_and_why(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/tier-rules",
            json={"rules": RULES, "note": "same rules, new season"},
            headers=ops(identities),
        )
        versions = await client.get("/api/v1/tier-rules/versions", headers=ops(identities))

        assert response.status_code == 201
        assert versions.json()[0]["version"] == response.json()["version"]
        assert versions.json()[0]["created_by"] == "ops1"
        assert versions.json()[-1]["version"] == 1

    async def test_falling_thresholds_are_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        rules = {**RULES, "thresholds_fen": {"three_star": 900, "four_star": 800, "five_star": 1000}}

        response = await client.post(
            "/api/v1/tier-rules", json={"rules": rules, "note": "oops"}, headers=ops(identities)
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.rules.thresholds_fen"

    async def test_managers_may_not_change_rules(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/tier-rules",
            json={"rules": RULES, "note": "mine"},
            headers=identities.headers("member-svc", Role.MANAGER, staff_id="manager1"),
        )

        assert response.status_code == 403


class TestEvaluationRun:
    async def test_a_run_evaluates_every_verified_member_in_chunks(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        for _ in range(3):
            member = await register(client, identities)
            await verify(client, identities, member["member_id"])

        started = await client.post(
            "/api/v1/tier-rules/evaluations", json={"chunk_size": 100}, headers=ops(identities)
        )

        assert started.status_code == 202

        async def done() -> dict[str, Any] | None:
            run = (
                await client.get(
                    f"/api/v1/tier-rules/evaluations/{started.json()['id']}", headers=ops(identities)
                )
            ).json()
            return run if run["status"] == "done" else None

        run = await eventually(done)
        assert run["processed"] == run["total"]
        assert run["total"] >= 3

    async def test_a_run_whose_process_stopped_continues_from_its_checkpoint_on_resume(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        engine = create_async_engine(service_settings.sqlalchemy_url)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            stopped = EvaluationRun(
                status="running",
                rules_version=(await service.current_rules(session)).version,
                evaluated_on=datetime.now(UTC).date(),
                chunk_size=100,
                total=7,
                processed=7,
                last_member_id=uuid.UUID(int=2**128 - 1),  # its last chunk was evaluated, then it died
                started_by="ops1",
            )
            session.add(stopped)  # as the row stays: no NOTIFY, nobody woken
        await engine.dispose()

        resumed = await client.post(
            f"/api/v1/tier-rules/evaluations/{stopped.id}/resume", headers=ops(identities)
        )
        assert resumed.status_code == 202

        async def done() -> dict[str, Any] | None:
            run = (
                await client.get(f"/api/v1/tier-rules/evaluations/{stopped.id}", headers=ops(identities))
            ).json()
            return run if run["status"] == "done" else None

        run = await eventually(done)
        assert (run["processed"], run["total"]) == (7, 7)  # from its checkpoint, not from the first member
