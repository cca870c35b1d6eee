"""Photos and documents through the API, with the app on the local directory and on an S3 bucket."""

import uuid

import httpx
from cheyou_kit.testing import eventually

from ..conftest import Arrange  # noqa: TID252
from .conftest import ServedBackend

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload_photo(
    served: ServedBackend, arrange: Arrange, member: uuid.UUID, claim_id: str, slot: str, data: bytes
) -> httpx.Response:
    return await served.client.post(
        f"/api/v1/claims/{claim_id}/survey/photos",
        data={"slot": slot},
        files={"file": ("photo.jpg", data, "image/jpeg")},
        headers=arrange.member(member),
    )


class TestPhotosOnEachBackend:
    async def test_a_photo_is_stored_and_served_with_its_type(
        self, served: ServedBackend, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        data = arrange.jpeg(fmt="PNG")

        response = await upload_photo(served, arrange, member, claim["id"], "front_view", data)

        assert response.status_code == 201, response.text
        photo = response.json()
        assert await served.keys(f"claims/{claim['id']}/") == [
            f"claims/{claim['id']}/photos/{photo['id']}.png"
        ]
        content = await served.client.get(
            f"/api/v1/claims/{claim['id']}/survey/photos/{photo['id']}/content",
            headers=arrange.member(member),
        )
        assert content.content == data
        assert content.headers["content-type"] == "image/png"

    async def test_a_disguised_file_is_refused_and_nothing_is_stored(
        self, served: ServedBackend, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await upload_photo(
            served, arrange, member, claim["id"], "front_view", b"%PDF-1.4 not a photo"
        )

        assert response.status_code == 415
        assert await served.keys(f"claims/{claim['id']}/") == []

    async def test_a_refused_second_photo_for_a_slot_leaves_only_the_first(
        self, served: ServedBackend, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        first = (await upload_photo(served, arrange, member, claim["id"], "rear_view", arrange.jpeg())).json()

        second = await upload_photo(served, arrange, member, claim["id"], "rear_view", arrange.jpeg())

        assert second.status_code == 409
        assert await served.keys(f"claims/{claim['id']}/") == [
            f"claims/{claim['id']}/photos/{first['id']}.jpg"
        ]

    async def test_a_photo_taken_back_is_deleted_from_storage(
        self, served: ServedBackend, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        photo = (await upload_photo(served, arrange, member, claim["id"], "side_view", arrange.jpeg())).json()

        deleted = await served.client.delete(
            f"/api/v1/claims/{claim['id']}/survey/photos/{photo['id']}", headers=arrange.member(member)
        )

        assert deleted.status_code == 204

        async def emptied() -> bool | None:
            return True if await served.keys(f"claims/{claim['id']}/") == [] else None

        assert await eventually(emptied)


class TestDocumentsOnEachBackend:
    async def test_a_scan_is_stored_as_a_pdf_and_served_back(
        self, served: ServedBackend, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await served.client.post(
            f"/api/v1/claims/{claim['id']}/documents",
            data={"kind": "id_card"},
            files={"file": ("scan.pdf", PDF, "application/pdf")},
            headers=arrange.member(member),
        )

        assert response.status_code == 201, response.text
        document = response.json()["document"]
        assert await served.keys(f"claims/{claim['id']}/") == [
            f"claims/{claim['id']}/documents/{document['id']}.pdf"
        ]
        content = await served.client.get(
            f"/api/v1/claims/{claim['id']}/documents/{document['id']}/content", headers=arrange.member(member)
        )
        assert content.content == PDF
        assert content.headers["content-type"] == "application/pdf"
