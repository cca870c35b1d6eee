"""The surveyors' queue: take (SKIP LOCKED), confirm with an amount, ask for re-shoots; who sees what."""

import asyncio
import uuid
from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import eventually

from ..conftest import Arrange, Published  # noqa: TID252


class TestTakeNextSurvey:
    async def test_surveyors_taking_at_once_never_get_the_same_survey(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        made = {(await arrange.submitted(uuid.uuid4()))["id"] for _ in range(3)}

        async def drain(surveyor: str) -> list[str]:
            taken = []
            headers = arrange.staff(Role.SURVEYOR, surveyor)
            while (response := await client.post("/api/v1/surveys/next", headers=headers)).status_code == 200:
                taken.append(response.json()["claim_id"])
            assert response.status_code == 204
            return taken

        results = await asyncio.gather(*(drain(f"surveyor-{i}") for i in range(4)))

        everything = [claim for taken in results for claim in taken]
        assert len(everything) == len(set(everything))
        assert made <= set(everything)

    async def test_taking_tells_the_member(
        self, client: httpx.AsyncClient, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.taken(member)

        steps = (
            await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        ).json()

        assert steps["items"][-1]["text"] == "查勘员已开始审核您的照片。"

        async def taken() -> dict[str, Any] | None:
            events = await published(claim["id"])
            return next((e for e in events if e["type"] == "cheyou.claims.survey_taken.v1"), None)

        event = await eventually(taken)
        assert event["surveyor_id"] == "surveyor1"
        assert event["queue_seconds"] >= 0


class TestTakeSurvey:
    async def test_a_survey_someone_else_took_is_409(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.taken(uuid.uuid4(), surveyor="surveyor1")

        response = await client.post(
            f"/api/v1/surveys/{claim['id']}/assignment", headers=arrange.staff(Role.SURVEYOR, "surveyor2")
        )

        assert response.status_code == 404  # once taken, it is no longer visible to other surveyors


class TestGetSurveyCase:
    async def test_a_surveyor_sees_a_queued_survey_with_its_photos(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.submitted(uuid.uuid4())

        response = await client.get(
            f"/api/v1/surveys/{claim['id']}", headers=arrange.staff(Role.SURVEYOR, "surveyor3")
        )

        assert response.status_code == 200
        assert response.json()["task"]["status"] == "queued"
        assert len(response.json()["photos"]) == 9

    async def test_another_surveyors_case_is_404(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.taken(uuid.uuid4(), surveyor="surveyor1")

        response = await client.get(
            f"/api/v1/surveys/{claim['id']}", headers=arrange.staff(Role.SURVEYOR, "surveyor2")
        )

        assert response.status_code == 404

    async def test_members_cannot_use_the_surveyors_queue(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        response = await client.get("/api/v1/surveys", headers=arrange.member())

        assert response.status_code == 403


class TestConfirmLoss:
    async def test_the_surveyor_confirms_with_an_amount_and_documents_are_asked_for(
        self, client: httpx.AsyncClient, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.taken(member)

        response = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation",
            json={"amount_fen": 356_050},
            headers=arrange.staff(Role.SURVEYOR, "surveyor1"),
        )

        assert response.status_code == 200
        assert response.json()["status"] == "documents_pending"
        assert response.json()["confirmed_loss_fen"] == 356_050
        timeline = await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        texts = [s["text"] for s in timeline.json()["items"]]
        assert "核定损失金额 3,560.50 元" in texts[-2]
        assert texts[-1].startswith("请上传理赔资料，还需要：被保险人身份证")

        async def confirmed() -> dict[str, Any] | None:
            events = await published(claim["id"])
            return next((e for e in events if e["type"] == "cheyou.claims.survey_confirmed.v1"), None)

        assert (await eventually(confirmed))["estimated_loss_fen"] == 356_050

    async def test_a_survey_not_taken_cannot_be_confirmed(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.submitted(uuid.uuid4())

        response = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation",
            json={"amount_fen": 100},
            headers=arrange.staff(Role.SURVEYOR, "surveyor1"),
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/not-your-survey")

    async def test_an_on_site_claim_is_confirmed_by_the_surveyor_who_took_it(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4(), vehicles_drivable=False)
        surveyor = arrange.staff(Role.SURVEYOR, "surveyor7")
        taken = await client.post(f"/api/v1/surveys/{claim['id']}/assignment", headers=surveyor)

        response = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation", json={"amount_fen": 2_500_000}, headers=surveyor
        )

        assert taken.json()["kind"] == "on_site"
        assert response.json()["status"] == "documents_pending"


class TestRequestReshoot:
    async def test_the_member_shoots_the_slots_again_and_the_same_surveyor_gets_them_back(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.taken(member)
        surveyor = arrange.staff(Role.SURVEYOR, "surveyor1")

        asked = await client.post(
            f"/api/v1/surveys/{claim['id']}/reshoot-request",
            json={"slots": ["damage_closeup", "own_vin"], "note": "车架号反光看不清，损失部位请再靠近一些"},
            headers=surveyor,
        )
        survey = (
            await client.get(f"/api/v1/claims/{claim['id']}/survey", headers=arrange.member(member))
        ).json()
        refused = await arrange.upload(member, claim["id"], "front_view")
        for slot in ("damage_closeup", "own_vin"):
            assert (await arrange.upload(member, claim["id"], slot)).status_code == 201
        resubmitted = await client.post(
            f"/api/v1/claims/{claim['id']}/survey/submission", headers=arrange.member(member)
        )
        confirmed = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation", json={"amount_fen": 120_000}, headers=surveyor
        )

        assert asked.json()["status"] == "reshoot_requested"
        assert [s["code"] for s in survey["slots"] if s["reshoot_requested"]] == ["own_vin", "damage_closeup"]
        assert survey["reshoot_note"] == "车架号反光看不清，损失部位请再靠近一些"
        assert sorted(survey["missing_required"]) == ["damage_closeup", "own_vin"]
        assert refused.status_code == 409
        assert resubmitted.json()["status"] == "survey_submitted"
        assert confirmed.json()["status"] == "documents_pending"

    async def test_an_unknown_slot_is_refused(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.taken(uuid.uuid4())

        response = await client.post(
            f"/api/v1/surveys/{claim['id']}/reshoot-request",
            json={"slots": ["roof"], "note": "?"},
            headers=arrange.staff(Role.SURVEYOR, "surveyor1"),
        )

        assert response.status_code == 422
        assert response.json()["field"] == "slots"
