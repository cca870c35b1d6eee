"""The claim's life: withdrawal, adjudication, payment, closing, reopening; illegal steps refused."""

import uuid
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import eventually
from claims_svc.claims.errors import IllegalTransition
from claims_svc.claims.lifecycle import TRANSITIONS, ClaimStatus, ensure_transition

from ..conftest import Arrange, Published  # noqa: TID252

PDF = b"%PDF-1.4\n%%EOF\n"
BASICS = ["id_card", "driving_licence", "vehicle_licence", "bank_card", "repair_invoice"]


async def adjudicating(client: httpx.AsyncClient, arrange: Arrange, member: uuid.UUID) -> dict[str, Any]:
    claim = await arrange.confirmed(member)
    for kind in BASICS:
        response = await client.post(
            f"/api/v1/claims/{claim['id']}/documents",
            data={"kind": kind},
            files={"file": ("scan.pdf", PDF, "application/pdf")},
            headers=arrange.member(member),
        )
    assert response.json()["claim_status"] == "adjudicating"
    return claim


class TestEnsureTransition:
    def test_a_paid_claim_cannot_go_back_to_the_survey(self) -> None:
        with pytest.raises(IllegalTransition):
            ensure_transition(ClaimStatus.PAID, ClaimStatus.SURVEY_PENDING)

    def test_every_state_has_its_transitions_listed(self) -> None:
        assert set(TRANSITIONS) == set(ClaimStatus)
        assert TRANSITIONS[ClaimStatus.WITHDRAWN] == frozenset()


class TestWithdrawClaim:
    async def test_before_adjudication_the_member_withdraws_at_once(
        self, client: httpx.AsyncClient, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.submitted(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal",
            json={"reason": "已与对方私了"},
            headers=arrange.member(member),
        )

        assert response.status_code == 200
        assert response.json()["outcome"] == "withdrawn"
        assert response.json()["claim"]["status"] == "withdrawn"
        queue = await client.get(
            "/api/v1/surveys", params={"limit": 100}, headers=arrange.staff(Role.SURVEYOR, "surveyor9")
        )
        assert claim["id"] not in [t["claim_id"] for t in queue.json()["items"]]

        async def withdrawn() -> dict[str, Any] | None:
            events = await published(claim["id"])
            return next((e for e in events if e["type"] == "cheyou.claims.withdrawn.v1"), None)

        assert (await eventually(withdrawn))["reason"] == "已与对方私了"

    async def test_withdrawal_frees_the_mediation_slot(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, injury_or_death=True)
        start = "2027-01-05T10:00:00+08:00"
        slot = (
            await client.post(
                "/api/v1/appointment-slots",
                json={
                    "site_code": f"W{uuid.uuid4().hex[:6]}",
                    "site_name": "台江调解室",
                    "site_address": "台江区",
                    "starts_at": start,
                    "ends_at": "2027-01-05T10:30:00+08:00",
                },
                headers=arrange.staff(Role.OPS),
            )
        ).json()
        appointment = (
            await client.post(
                "/api/v1/appointments",
                json={"claim_id": claim["id"], "slot_id": slot["id"]},
                headers=arrange.member(member),
            )
        ).json()

        await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal",
            json={"reason": "伤情轻微"},
            headers=arrange.member(member),
        )

        after = await client.get(f"/api/v1/appointments/{appointment['id']}", headers=arrange.member(member))
        assert after.json()["status"] == "cancelled"

    async def test_under_adjudication_it_is_a_request_an_adjuster_approves(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await adjudicating(client, arrange, member)

        requested = await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal",
            json={"reason": "不想影响保费"},
            headers=arrange.member(member),
        )
        approved = await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal/decision",
            json={"approve": True},
            headers=arrange.staff(Role.OPS),
        )

        assert requested.status_code == 202
        assert requested.json()["claim"]["status"] == "adjudicating"
        assert requested.json()["claim"]["withdrawal_requested"] is True
        assert approved.json()["status"] == "withdrawn"

    async def test_an_adjuster_may_decline_the_request(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await adjudicating(client, arrange, member)
        await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal", json={"reason": "x"}, headers=arrange.member(member)
        )

        declined = await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal/decision",
            json={"approve": False, "reason": "已进入支付流程"},
            headers=arrange.staff(Role.OPS),
        )

        assert declined.json()["status"] == "adjudicating"
        assert declined.json()["withdrawal_requested"] is False

    async def test_a_paid_claim_cannot_be_withdrawn(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await adjudicating(client, arrange, member)
        ops = arrange.staff(Role.OPS)
        await client.post(
            f"/api/v1/claims/{claim['id']}/adjudication",
            json={"decision": "approved", "amount_fen": 300_000},
            headers=ops,
        )
        await client.post(f"/api/v1/claims/{claim['id']}/payment", json={"amount_fen": 300_000}, headers=ops)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal", json={"reason": "x"}, headers=arrange.member(member)
        )

        assert response.status_code == 409

    async def test_members_cannot_approve_their_own_request(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/withdrawal/decision",
            json={"approve": True},
            headers=arrange.member(member),
        )

        assert response.status_code == 403


class TestAdjudicateClaim:
    async def test_a_claim_still_in_survey_cannot_be_approved(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.submitted(uuid.uuid4())

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/adjudication",
            json={"decision": "approved", "amount_fen": 1},
            headers=arrange.staff(Role.OPS),
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/illegal-transition")
        assert response.json()["current_status"] == "survey_submitted"

    async def test_a_rejection_needs_a_reason(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/adjudication",
            json={"decision": "rejected"},
            headers=arrange.staff(Role.OPS),
        )

        assert response.status_code == 422

    async def test_a_rejected_claim_can_be_reopened_and_approved(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await adjudicating(client, arrange, member)
        ops = arrange.staff(Role.OPS)
        url = f"/api/v1/claims/{claim['id']}"

        await client.post(
            f"{url}/adjudication", json={"decision": "rejected", "reason": "发票不清晰"}, headers=ops
        )
        reopened = await client.post(f"{url}/reopening", json={"reason": "补交了清晰的发票"}, headers=ops)
        approved = await client.post(
            f"{url}/adjudication", json={"decision": "approved", "amount_fen": 5000}, headers=ops
        )

        assert reopened.json()["status"] == "reopened"
        assert approved.json()["status"] == "approved"


class TestPayClaim:
    async def test_paying_more_than_approved_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await adjudicating(client, arrange, member)
        ops = arrange.staff(Role.OPS)
        await client.post(
            f"/api/v1/claims/{claim['id']}/adjudication",
            json={"decision": "approved", "amount_fen": 1000},
            headers=ops,
        )

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/payment", json={"amount_fen": 1001}, headers=ops
        )

        assert response.status_code == 422
        assert response.json()["field"] == "amount_fen"


class TestTheWholeJourney:
    async def test_report_liability_survey_reshoot_documents_appointment_settlement(
        self, client: httpx.AsyncClient, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()
        me = arrange.member(member)
        surveyor = arrange.staff(Role.SURVEYOR, "surveyor1")
        ops = arrange.staff(Role.OPS, "ops1")
        other_phone = arrange.other_phone()
        claim = await arrange.claim(
            member, police_called=True, other_party={"name": "王五", "phone": other_phone}
        )
        url = f"/api/v1/claims/{claim['id']}"

        # liability: the other party changed lanes, both agree (they with the code sent to their phone)
        await client.post(
            f"{url}/liability", json={"member_scenarios": [], "other_scenarios": ["lane_change"]}, headers=me
        )
        await client.post(
            f"{url}/liability/confirmations", json={"party": "member", "agree": True}, headers=me
        )
        assert (await arrange.code_requested(member, claim["id"])).status_code == 201
        agreed = await client.post(
            f"{url}/liability/confirmations",
            json={"party": "other_party", "agree": True, "code": await arrange.code_sent_to(other_phone)},
            headers=me,
        )
        assert agreed.json()["member_liability"] == "none"
        # the guided survey, one re-shoot
        survey = (await client.get(f"{url}/survey", headers=me)).json()
        for slot in survey["missing_required"]:
            assert (await arrange.upload(member, claim["id"], slot)).status_code == 201
        assert (await client.post(f"{url}/survey/submission", headers=me)).status_code == 200
        assert (
            await client.post(f"/api/v1/surveys/{claim['id']}/assignment", headers=surveyor)
        ).status_code == 200
        await client.post(
            f"/api/v1/surveys/{claim['id']}/reshoot-request",
            json={"slots": ["contact_point"], "note": "请让两车碰撞部位同框"},
            headers=surveyor,
        )
        await arrange.upload(member, claim["id"], "contact_point")
        await client.post(f"{url}/survey/submission", headers=me)
        confirmed = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation", json={"amount_fen": 420_000}, headers=surveyor
        )
        assert confirmed.json()["status"] == "documents_pending"
        # documents, with the police certificate this claim needs
        for kind in [*BASICS, "police_certificate"]:
            uploaded = await client.post(
                f"{url}/documents",
                data={"kind": kind},
                files={"file": ("a.pdf", PDF, "application/pdf")},
                headers=me,
            )
        assert uploaded.json()["claim_status"] == "adjudicating"
        # adjudication, payment, closing
        await client.post(
            f"{url}/adjudication", json={"decision": "approved", "amount_fen": 420_000}, headers=ops
        )
        paid = await client.post(f"{url}/payment", json={"amount_fen": 420_000}, headers=ops)
        closed = await client.post(f"{url}/closure", headers=ops)
        assert paid.json()["paid_amount_fen"] == 420_000
        assert closed.json()["status"] == "closed"

        steps = (await client.get(f"{url}/timeline", params={"limit": 100}, headers=me)).json()["items"]
        statuses = list(dict.fromkeys(s["status"] for s in steps))
        assert statuses == [
            "reported",
            "liability_pending",
            "liability_agreed",
            "survey_pending",
            "survey_submitted",
            "reshoot_requested",
            "loss_confirmed",
            "documents_pending",
            "adjudicating",
            "approved",
            "paid",
            "closed",
        ]
        assert steps[-2]["text"] == "赔款 4,200.00 元已支付到您的银行卡，请注意查收。"

        async def settled() -> list[dict[str, Any]] | None:
            events = await published(claim["id"])
            return events if any(e["type"] == "cheyou.claims.closed.v1" for e in events) else None

        events = await eventually(settled)
        types = [e["type"].split(".")[2] for e in events]
        assert types.count("survey_photo_uploaded") == 13
        assert [t for t in types if t != "survey_photo_uploaded" and t != "document_uploaded"] == [
            "reported",
            "liability_proposed",
            "liability_confirmed",
            "liability_confirmation_requested",
            "liability_confirmed",
            "liability_assessed",
            "survey_submitted",
            "survey_taken",
            "reshoot_requested",
            "survey_submitted",
            "survey_confirmed",
            "documents_completed",
            "adjudicated",
            "settled",
            "closed",
        ]
        settlement = next(e for e in events if e["type"] == "cheyou.claims.settled.v1")
        assert settlement["amount_fen"] == 420_000
        assert {e["key"] for e in events} == {str(member)}
