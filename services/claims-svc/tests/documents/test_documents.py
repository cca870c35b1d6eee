"""Documents: the checklist by claim type, uploads, and the hand-over to adjudication when complete."""

import uuid
from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import eventually

from ..conftest import Arrange, Published  # noqa: TID252

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASICS = ["id_card", "driving_licence", "vehicle_licence", "bank_card", "repair_invoice"]


async def upload(
    client: httpx.AsyncClient,
    arrange: Arrange,
    member: uuid.UUID,
    claim_id: str,
    kind: str,
    data: bytes = PDF,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/claims/{claim_id}/documents",
        data={"kind": kind},
        files={"file": ("scan.pdf", data, "application/pdf")},
        headers=arrange.member(member),
    )


class TestChecklist:
    async def test_a_simple_claim_needs_the_basics(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        checklist = (
            await client.get(f"/api/v1/claims/{claim['id']}/documents", headers=arrange.member(member))
        ).json()

        assert checklist["missing"] == BASICS
        assert checklist["missing_text"].startswith("还需要：被保险人身份证、驾驶证")

    async def test_an_injury_with_police_needs_the_police_certificate_and_medical_papers(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, injury_or_death=True, police_called=True)

        checklist = (
            await client.get(f"/api/v1/claims/{claim['id']}/documents", headers=arrange.member(member))
        ).json()

        assert checklist["missing"] == [*BASICS, "police_certificate", "medical_record", "medical_invoice"]


class TestUploadDocument:
    async def test_the_last_missing_document_sends_the_claim_to_adjudication(
        self, client: httpx.AsyncClient, arrange: Arrange, published: Published
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.confirmed(member)

        answers = [await upload(client, arrange, member, claim["id"], kind) for kind in BASICS]

        assert answers[0].json()["missing"] == BASICS[1:]
        assert answers[-1].json()["missing"] == []
        assert answers[-1].json()["claim_status"] == "adjudicating"

        async def completed() -> dict[str, Any] | None:
            events = await published(claim["id"])
            return next((e for e in events if e["type"] == "cheyou.claims.documents_completed.v1"), None)

        assert await eventually(completed)

    async def test_documents_uploaded_early_count_when_the_loss_is_confirmed(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.taken(member)
        for kind in BASICS:
            assert (
                await upload(client, arrange, member, claim["id"], kind, arrange.jpeg())
            ).status_code == 201

        response = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation",
            json={"amount_fen": 80_000},
            headers=arrange.staff(Role.SURVEYOR, "surveyor1"),
        )

        assert response.json()["status"] == "adjudicating"

    async def test_a_file_that_is_no_scan_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await upload(client, arrange, member, claim["id"], "id_card", b"<html>hello</html>")

        assert response.status_code == 415

    async def test_an_unknown_kind_is_refused(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await upload(client, arrange, member, claim["id"], "passport")

        assert response.status_code == 422
        assert response.json()["field"] == "kind"

    async def test_the_document_can_be_read_back_by_its_owner_only(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        document = (await upload(client, arrange, member, claim["id"], "bank_card")).json()["document"]
        url = f"/api/v1/claims/{claim['id']}/documents/{document['id']}/content"

        mine = await client.get(url, headers=arrange.member(member))
        theirs = await client.get(url, headers=arrange.member())

        assert mine.content == PDF
        assert theirs.status_code == 404
