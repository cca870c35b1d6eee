"""The other party proves their answer to the split (security issue, High 2): a code sent by SMS to their
phone, or their own member account with that phone — never anything the reporting member can type alone.

Each attack of the review is performed here and refused: the last four digits, a bare "the other party
agrees", guessing the code, a stale code, swapping the phone after the code was sent, sending the code
to oneself, a stranger's account answering, flooding a phone with codes.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import eventually
from claims_svc.config import Settings
from claims_svc.liability.models import LiabilityCode
from claims_svc.liability.sweep import overdue_liability_sweep
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..conftest import Arrange, Published  # noqa: TID252


def confirmations(claim: dict[str, Any]) -> str:
    return f"/api/v1/claims/{claim['id']}/liability/confirmations"


async def claim_of(
    client: httpx.AsyncClient, arrange: Arrange, member: uuid.UUID, claim: dict[str, Any]
) -> dict[str, Any]:
    response = await client.get(f"/api/v1/claims/{claim['id']}", headers=arrange.member(member))
    body: dict[str, Any] = response.json()
    return body


class TestTheCodeSentToTheOtherParty:
    async def test_both_agree_the_other_party_with_the_code_from_their_phone(
        self, client: httpx.AsyncClient, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)

        sent = await arrange.code_requested(member, claim["id"])
        assert sent.status_code == 201, sent.text
        assert sent.json()["phone"] == f"{phone[:3]}****{phone[-4:]}"
        assert sent.json()["attempts"] == 5
        (text,) = await arrange.sms_to(phone)
        assert text["template_code"] == "SMS_CHEYOU_LIABILITY"
        assert text["template_param"]["liability"] == "同等责任"  # what they are agreeing to
        assert text["template_param"]["claim_no"] == claim["claim_no"]
        await client.post(
            confirmations(claim), json={"party": "member", "agree": True}, headers=arrange.member(member)
        )
        theirs = await client.post(
            confirmations(claim),
            json={"party": "other_party", "agree": True, "code": text["template_param"]["code"]},
            headers=arrange.member(member),
        )

        assert theirs.status_code == 200, theirs.text
        assert theirs.json()["other_confirmed_by"] == "sms_code"
        assert theirs.json()["claim_status"] == "survey_pending"
        assert (await claim_of(client, arrange, member, claim))["liability"] == "equal"

        async def all_published() -> list[dict[str, Any]] | None:
            events = await published(claim["id"])
            types = [e["type"] for e in events]
            return events if "cheyou.claims.liability_assessed.v1" in types else None

        events = await eventually(all_published)
        confirmed = [e for e in events if e["type"] == "cheyou.claims.liability_confirmed.v1"]
        assert [(e["party"], e["proof"]) for e in confirmed] == [
            ("member", "member_session"),
            ("other_party", "sms_code"),
        ]
        (requested,) = [e for e in events if e["type"] == "cheyou.claims.liability_confirmation_requested.v1"]
        assert requested["channel"] == "sms"
        assert phone not in str(requested)  # no phone, no code on the topic
        assert text["template_param"]["code"] not in str(events)

    async def test_the_code_alone_means_the_other_party_agrees(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.code_requested(member, claim["id"])

        theirs = await client.post(
            confirmations(claim),
            json={"code": await arrange.code_sent_to(phone)},
            headers=arrange.member(member),
        )

        assert theirs.status_code == 200, theirs.text
        assert theirs.json()["other_confirmed_at"] is not None

    async def test_the_other_party_disputes_with_their_code(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.code_requested(member, claim["id"])

        response = await client.post(
            confirmations(claim),
            json={"party": "other_party", "agree": False, "code": await arrange.code_sent_to(phone)},
            headers=arrange.member(member),
        )

        assert response.json()["disputed_by"] == "other_party"
        assert response.json()["claim_status"] == "escalated_on_site"
        after = await claim_of(client, arrange, member, claim)
        assert after["on_site_reasons"] == ["liability_disputed"]

    async def test_the_code_is_kept_only_as_a_keyed_hash(
        self, arrange: Arrange, db: async_sessionmaker[AsyncSession]
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.code_requested(member, claim["id"])
        code = await arrange.code_sent_to(phone)

        async with db() as s:
            row = (
                await s.scalars(select(LiabilityCode).where(LiabilityCode.claim_id == uuid.UUID(claim["id"])))
            ).one()

        stored = " ".join(str(v) for v in (row.digest, row.phone_index))
        assert code not in stored
        assert phone not in stored
        assert len(row.digest) == 64

    async def test_a_failed_send_stores_nothing_and_freezes_nothing(
        self, client: httpx.AsyncClient, arrange: Arrange, sms_url: str
    ) -> None:
        member = uuid.uuid4()
        claim, _ = await arrange.proposed(member)
        async with httpx.AsyncClient() as http:
            await http.post(f"{sms_url}/_fake/fail-next", json={"code": "isv.BUSINESS_LIMIT_CONTROL"})

        response = await arrange.code_requested(member, claim["id"])

        assert response.status_code == 502
        assert response.json()["type"].endswith("/sms-not-sent")
        liability = await client.get(
            f"/api/v1/claims/{claim['id']}/liability", headers=arrange.member(member)
        )
        assert liability.json()["confirmation_requested_at"] is None
        assert (await arrange.code_requested(member, claim["id"])).status_code == 201  # no cooldown either


class TestAttacks:
    async def test_the_last_four_digits_of_the_phone_prove_nothing_any_more(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)

        last4 = await client.post(
            confirmations(claim),
            json={"party": "other_party", "agree": True, "phone_last4": phone[-4:]},
            headers=arrange.member(member),
        )
        bare = await client.post(
            confirmations(claim), json={"party": "other_party", "agree": True}, headers=arrange.member(member)
        )

        assert last4.status_code == 422
        assert bare.status_code == 422
        assert bare.json()["type"].endswith("/liability-code-required")
        liability = await client.get(
            f"/api/v1/claims/{claim['id']}/liability", headers=arrange.member(member)
        )
        assert liability.json()["other_confirmed_at"] is None
        assert liability.json()["claim_status"] == "liability_pending"

    async def test_guessing_the_code_stops_after_five_tries(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.code_requested(member, claim["id"])
        code = await arrange.code_sent_to(phone)
        wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 6)]

        answers = [
            await client.post(
                confirmations(claim),
                json={"party": "other_party", "agree": True, "code": guess},
                headers=arrange.member(member),
            )
            for guess in wrong
        ]
        right_too_late = await client.post(
            confirmations(claim),
            json={"party": "other_party", "agree": True, "code": code},
            headers=arrange.member(member),
        )

        assert [a.status_code for a in answers] == [422] * 5
        assert [a.json().get("attempts_remaining") for a in answers[:4]] == [4, 3, 2, 1]
        assert answers[4].json()["type"].endswith("/liability-code-exhausted")
        assert right_too_late.status_code == 422
        assert right_too_late.json()["type"].endswith("/liability-code-exhausted")
        liability = await client.get(
            f"/api/v1/claims/{claim['id']}/liability", headers=arrange.member(member)
        )
        assert liability.json()["other_confirmed_at"] is None

    async def test_an_expired_code_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange, db: async_sessionmaker[AsyncSession]
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.code_requested(member, claim["id"])
        async with db() as s:
            await s.execute(
                update(LiabilityCode)
                .where(LiabilityCode.claim_id == uuid.UUID(claim["id"]))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            await s.commit()

        response = await client.post(
            confirmations(claim),
            json={"code": await arrange.code_sent_to(phone)},
            headers=arrange.member(member),
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/liability-code-invalid")

    async def test_a_code_sent_for_an_earlier_proposal_does_not_confirm_a_new_one(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.code_requested(member, claim["id"])
        code = await arrange.code_sent_to(phone)
        await client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={"member_scenarios": [], "other_scenarios": ["signal_violation"]},
            headers=arrange.member(member),
        )

        response = await client.post(
            confirmations(claim), json={"code": code}, headers=arrange.member(member)
        )

        assert response.status_code == 422

    async def test_the_phone_cannot_be_swapped_once_the_code_was_sent(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        before = await client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"other_party": {"name": "李四", "phone": phone, "plate": "闽A88888"}},
            headers=arrange.member(member),
        )
        assert before.status_code == 200  # not frozen yet
        await arrange.code_requested(member, claim["id"])

        swapped = await client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"other_party": {"name": "李四", "phone": arrange.other_phone()}},
            headers=arrange.member(member),
        )
        renamed = await client.patch(
            f"/api/v1/claims/{claim['id']}",
            json={"other_party": {"name": "李四四", "plate": "闽A88888"}},
            headers=arrange.member(member),
        )

        assert swapped.status_code == 409
        assert swapped.json()["type"].endswith("/other-party-phone-frozen")
        assert swapped.json()["field"] == "other_party.phone"
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["other_party"]["phone"] == f"{phone[:3]}****{phone[-4:]}"
        (text,) = await arrange.sms_to(phone)
        ok = await client.post(
            confirmations(claim),
            json={"code": text["template_param"]["code"]},
            headers=arrange.member(member),
        )
        assert ok.status_code == 200

    async def test_the_member_cannot_send_the_code_to_their_own_phone(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.member_phone(member, phone)

        response = await arrange.code_requested(member, claim["id"])

        assert response.status_code == 422
        assert response.json()["type"].endswith("/other-party-phone-is-yours")
        assert await arrange.sms_to(phone) == []

    async def test_codes_for_one_claim_wait_a_minute(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)

        first = await arrange.code_requested(member, claim["id"])
        again = await arrange.code_requested(member, claim["id"])

        assert first.status_code == 201
        assert again.status_code == 429
        assert 0 < again.json()["retry_after"] <= 60
        assert len(await arrange.sms_to(phone)) == 1

    async def test_one_claim_sends_five_codes_at_most(
        self, arrange: Arrange, db: async_sessionmaker[AsyncSession]
    ) -> None:
        member = uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        answers = []
        for _ in range(6):
            answers.append((await arrange.code_requested(member, claim["id"])).status_code)
            async with db() as s:  # the minute between two codes, passed
                await s.execute(
                    update(LiabilityCode)
                    .where(LiabilityCode.claim_id == uuid.UUID(claim["id"]))
                    .values(sent_at=LiabilityCode.sent_at - timedelta(minutes=2))
                )
                await s.commit()

        assert answers == [201] * 5 + [429]
        assert len(await arrange.sms_to(phone)) == 5

    async def test_one_phone_receives_five_codes_an_hour_whatever_the_claims(self, arrange: Arrange) -> None:
        phone = arrange.other_phone()
        answers = []
        for _ in range(6):
            member = uuid.uuid4()
            claim, _ = await arrange.proposed(member, phone)
            response = await arrange.code_requested(member, claim["id"])
            answers.append((response.status_code, response.json().get("limit")))

        assert answers == [(201, None)] * 5 + [(429, "phone-hour")]
        assert len(await arrange.sms_to(phone)) == 5


class TestTheOtherPartysOwnAccount:
    async def test_the_other_party_signed_in_with_their_phone_confirms(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member, other_member = uuid.uuid4(), uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.member_phone(other_member, phone)

        seen = await client.get(
            f"/api/v1/claims/{claim['id']}/liability", headers=arrange.member(other_member)
        )
        theirs = await client.post(
            confirmations(claim), json={"agree": True}, headers=arrange.member(other_member)
        )
        mine = await client.post(
            confirmations(claim), json={"party": "member", "agree": True}, headers=arrange.member(member)
        )

        assert seen.status_code == 200
        assert seen.json()["answering_as"] == "other_party"
        assert seen.json()["other_liability"] == "equal"
        assert theirs.status_code == 200, theirs.text
        assert theirs.json()["other_confirmed_by"] == "member_account"
        assert mine.json()["claim_status"] == "survey_pending"
        # the other party's account sees the split, never the claim itself
        claim_read = await client.get(f"/api/v1/claims/{claim['id']}", headers=arrange.member(other_member))
        assert claim_read.status_code == 404

    async def test_the_other_party_cannot_answer_for_the_member(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member, other_member = uuid.uuid4(), uuid.uuid4()
        claim, phone = await arrange.proposed(member)
        await arrange.member_phone(other_member, phone)

        response = await client.post(
            confirmations(claim),
            json={"party": "member", "agree": True},
            headers=arrange.member(other_member),
        )

        assert response.status_code == 403

    async def test_any_other_member_finds_no_such_claim(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member, stranger = uuid.uuid4(), uuid.uuid4()
        claim, _ = await arrange.proposed(member)
        await arrange.member_phone(stranger, arrange.other_phone())

        seen = await client.get(f"/api/v1/claims/{claim['id']}/liability", headers=arrange.member(stranger))
        answered = await client.post(
            confirmations(claim),
            json={"party": "other_party", "agree": True},
            headers=arrange.member(stranger),
        )
        unknown = await client.post(confirmations(claim), json={"agree": True}, headers=arrange.member())

        assert (seen.status_code, answered.status_code, unknown.status_code) == (404, 404, 404)


class TestTheDeadline:
    async def test_a_split_not_agreed_in_time_goes_to_a_surveyor_on_site(
        self,
        client: httpx.AsyncClient,
        arrange: Arrange,
        db: async_sessionmaker[AsyncSession],
        service_settings: Settings,
        published: Published,
    ) -> None:
        member = uuid.uuid4()
        claim, _ = await arrange.proposed(member)
        await client.post(
            confirmations(claim), json={"party": "member", "agree": True}, headers=arrange.member(member)
        )
        liability = (
            await client.get(f"/api/v1/claims/{claim['id']}/liability", headers=arrange.member(member))
        ).json()
        due = datetime.fromisoformat(liability["confirm_by"])
        assert due - datetime.now(UTC) > timedelta(hours=23)
        sweep = overdue_liability_sweep(service_settings, db)

        await sweep.run_once(now=due - timedelta(seconds=1))
        still = await claim_of(client, arrange, member, claim)
        await sweep.run_once(now=due + timedelta(seconds=1))
        after = await claim_of(client, arrange, member, claim)

        assert still["status"] == "liability_pending"
        assert after["status"] == "escalated_on_site"
        assert after["on_site_reasons"] == ["liability_unconfirmed"]
        queue = await client.get(
            f"/api/v1/surveys/{claim['id']}", headers=arrange.staff(Role.SURVEYOR, "surveyor-deadline")
        )
        assert queue.status_code == 200
        assert queue.json()["task"]["kind"] == "on_site"

        async def unconfirmed() -> dict[str, Any] | None:
            events = await published(claim["id"])
            return next((e for e in events if e["type"] == "cheyou.claims.liability_unconfirmed.v1"), None)

        assert await eventually(unconfirmed)
