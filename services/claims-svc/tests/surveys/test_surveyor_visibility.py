"""What a surveyor reads (security issue, Low): only claims in the queue or assigned to them, and the photos,
documents, timeline and liability of those. Surveyor B reading a claim assigned to surveyor A is the attack:
every read route answers 404, as if the claim did not exist."""

import uuid
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

from ..conftest import Arrange  # noqa: TID252

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def claim_with_everything(client: httpx.AsyncClient, arrange: Arrange, surveyor: str) -> dict[str, Any]:
    """A claim taken by ``surveyor``, with its photos and a document (an ID card scan)."""
    member = uuid.uuid4()
    claim = await arrange.taken(member, surveyor=surveyor)
    document = await client.post(
        f"/api/v1/claims/{claim['id']}/documents",
        data={"kind": "id_card"},
        files={"file": ("scan.pdf", PDF, "application/pdf")},
        headers=arrange.member(member),
    )
    assert document.status_code == 201, document.text
    survey = (await client.get(f"/api/v1/claims/{claim['id']}/survey", headers=arrange.member(member))).json()
    photo = next(s["photo"]["id"] for s in survey["slots"] if s["photo"])
    return {**claim, "document_id": document.json()["document"]["id"], "photo_id": photo, "member": member}


def read_routes(claim: dict[str, Any]) -> dict[str, str]:
    url = f"/api/v1/claims/{claim['id']}"
    return {
        "claim": url,
        "timeline": f"{url}/timeline",
        "survey": f"{url}/survey",
        "photo": f"{url}/survey/photos/{claim['photo_id']}/content",
        "documents": f"{url}/documents",
        "document": f"{url}/documents/{claim['document_id']}/content",
        "liability": f"{url}/liability",
        "survey case": f"/api/v1/surveys/{claim['id']}",
    }


class TestSurveyorBReadsSurveyorAsClaim:
    async def test_every_read_route_is_404_for_another_surveyor(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await claim_with_everything(client, arrange, "surveyor-a")
        b = arrange.staff(Role.SURVEYOR, "surveyor-b")

        answers = {
            name: (await client.get(url, headers=b)).status_code for name, url in read_routes(claim).items()
        }
        taking = await client.post(f"/api/v1/surveys/{claim['id']}/assignment", headers=b)

        assert answers == dict.fromkeys(read_routes(claim), 404)
        assert taking.status_code == 404

    async def test_the_assigned_surveyor_reads_them(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await claim_with_everything(client, arrange, "surveyor-a2")
        a = arrange.staff(Role.SURVEYOR, "surveyor-a2")

        answers = {
            name: (await client.get(url, headers=a)).status_code for name, url in read_routes(claim).items()
        }

        # a single-vehicle claim has no liability split: 404 for everyone, the member too
        assert answers == {**dict.fromkeys(read_routes(claim), 200), "liability": 404}
        member = await client.get(read_routes(claim)["liability"], headers=arrange.member(claim["member"]))
        assert member.json()["type"].endswith("/no-liability-proposal")

    async def test_once_decided_the_claim_leaves_every_surveyors_view(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await claim_with_everything(client, arrange, "surveyor-a3")
        confirmed = await client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation",
            json={"amount_fen": 120_000},
            headers=arrange.staff(Role.SURVEYOR, "surveyor-a3"),
        )
        assert confirmed.status_code == 200, confirmed.text

        for surveyor in ("surveyor-a3", "surveyor-b3"):
            headers = arrange.staff(Role.SURVEYOR, surveyor)
            for name in ("claim", "documents", "document", "photo", "timeline"):
                response = await client.get(read_routes(claim)[name], headers=headers)
                assert response.status_code == 404, (surveyor, name)

    @pytest.mark.parametrize("surveyor_id", [None, ""])
    async def test_a_surveyor_identity_without_a_staff_id_sees_nothing(
        self, client: httpx.AsyncClient, arrange: Arrange, identities: Identities, surveyor_id: str | None
    ) -> None:
        claim = await arrange.submitted(uuid.uuid4())  # queued: visible to any surveyor with an id
        headers = identities.headers("claims-svc", Role.SURVEYOR, subject="staff:x", staff_id=surveyor_id)

        response = await client.get(f"/api/v1/claims/{claim['id']}", headers=headers)

        assert response.status_code == 404

    async def test_a_queued_claims_documents_wait_until_it_is_taken(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.submitted(member)
        document = await client.post(
            f"/api/v1/claims/{claim['id']}/documents",
            data={"kind": "bank_card"},
            files={"file": ("scan.pdf", PDF, "application/pdf")},
            headers=arrange.member(member),
        )
        url = f"/api/v1/claims/{claim['id']}/documents"
        content = f"{url}/{document.json()['document']['id']}/content"
        b = arrange.staff(Role.SURVEYOR, "surveyor-b5")

        queued = [
            (await client.get(u, headers=b)).status_code
            for u in (f"/api/v1/claims/{claim['id']}", url, content)
        ]
        await client.post(f"/api/v1/surveys/{claim['id']}/assignment", headers=b)
        taken = [(await client.get(u, headers=b)).status_code for u in (url, content)]

        assert queued == [200, 404, 404]  # the claim, to pick it; not the bank card
        assert taken == [200, 200]

    async def test_a_claim_never_queued_is_404_for_surveyors(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4())

        for route in ("", "/timeline", "/documents", "/survey"):
            response = await client.get(
                f"/api/v1/claims/{claim['id']}{route}", headers=arrange.staff(Role.SURVEYOR, "surveyor-b4")
            )
            assert response.status_code == 404, route
