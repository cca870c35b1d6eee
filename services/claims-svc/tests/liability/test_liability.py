"""The liability assistant: the scenario table, the split rule, both parties' consent, disputes."""

import uuid

import httpx
import pytest
from claims_svc.liability.service import split

from ..conftest import Arrange  # noqa: TID252


class TestListScenarios:
    async def test_the_standard_list_carries_legal_references(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        response = await client.get("/api/v1/liability-scenarios", headers=arrange.member())

        rows = {r["code"]: r for r in response.json()["items"]}
        assert rows["rear_end"]["label"] == "同车道行驶，追撞前车尾部"
        assert rows["rear_end"]["legal_reference"] == "《道路交通安全法》第四十三条"
        assert rows["signal_violation"]["legal_reference"] == "《道路交通安全法》第三十八条"
        assert rows["other"]["manual"] is True
        assert len(rows) == 12


class TestSplit:
    @pytest.mark.parametrize(
        ("member", "other", "shares"),
        [
            (1, 0, ("full", "none")),
            (0, 2, ("none", "full")),
            (1, 1, ("equal", "equal")),
            (3, 3, ("equal", "equal")),
            (2, 1, ("major", "minor")),
            (1, 3, ("minor", "major")),
        ],
    )
    def test_the_split_rule(self, member: int, other: int, shares: tuple[str, str]) -> None:
        assert split(member, other) == shares


class TestProposeLiability:
    async def test_a_rear_end_collision_makes_the_member_fully_liable(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={"member_scenarios": ["rear_end"], "other_scenarios": []},
            headers=arrange.member(member),
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["member_liability"], body["other_liability"]) == ("full", "none")
        assert body["claim_status"] == "liability_pending"
        steps = (
            await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        ).json()
        assert "您方全部责任，对方无责任" in steps["items"][-1]["text"]

    async def test_more_than_three_scenarios_per_party_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={
                "member_scenarios": ["rear_end", "wrong_way", "reversing", "parking"],
                "other_scenarios": [],
            },
            headers=arrange.member(member),
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.member_scenarios"

    async def test_an_unknown_scenario_is_refused(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={"member_scenarios": ["flying"], "other_scenarios": []},
            headers=arrange.member(member),
        )

        assert response.status_code == 422
        assert response.json()["unknown"] == ["flying"]

    async def test_a_manual_scenario_sends_the_claim_on_site(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={"member_scenarios": ["other"], "other_scenarios": []},
            headers=arrange.member(member),
        )

        assert response.status_code == 202
        after = (await client.get(f"/api/v1/claims/{claim['id']}", headers=arrange.member(member))).json()
        assert after["status"] == "escalated_on_site"
        assert after["on_site_reasons"] == ["liability_manual"]

    async def test_a_single_vehicle_accident_has_no_split(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, accident_type="single_vehicle", other_party=None)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={"member_scenarios": ["reversing"], "other_scenarios": []},
            headers=arrange.member(member),
        )

        assert response.status_code == 409


class TestAnswerLiability:
    async def test_the_member_answers_for_themself(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim, _ = await arrange.proposed(member)

        mine = await client.post(
            f"/api/v1/claims/{claim['id']}/liability/confirmations",
            json={"party": "member", "agree": True},
            headers=arrange.member(member),
        )

        assert mine.status_code == 200, mine.text
        assert mine.json()["member_confirmed_at"] is not None
        assert mine.json()["claim_status"] == "liability_pending"
        assert mine.json()["answering_as"] == "member"

    async def test_answering_twice_is_refused(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim, _ = await arrange.proposed(member)
        url = f"/api/v1/claims/{claim['id']}/liability/confirmations"
        await client.post(url, json={"party": "member", "agree": True}, headers=arrange.member(member))

        response = await client.post(
            url, json={"party": "member", "agree": True}, headers=arrange.member(member)
        )

        assert response.status_code == 409

    async def test_a_members_dispute_sends_the_claim_on_site(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, _ = await arrange.proposed(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/liability/confirmations",
            json={"party": "member", "agree": False},
            headers=arrange.member(member),
        )

        assert response.json()["disputed_by"] == "member"
        assert response.json()["claim_status"] == "escalated_on_site"
