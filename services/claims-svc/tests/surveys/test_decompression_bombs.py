"""Decompression bombs (security issue, Medium 8): a small PNG that declares a huge image is refused from its
header — as a survey photo or as a document scan — with a 422 that says why, and nothing is stored."""

import io
import struct
import uuid
import zlib
from functools import cache

import httpx
import pytest
from claims_svc.config import Settings
from PIL import Image

from ..conftest import Arrange  # noqa: TID252


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real PNG of one grey, ``width`` × ``height`` (400 MB of pixels by default), deflated to ~400 KB."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * width  # filter byte, then one grey pixel after another
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def stored_files(settings: Settings, claim_id: str) -> list[str]:
    return sorted(p.name for p in (settings.storage_dir / "claims" / claim_id).rglob("*") if p.is_file())


def test_the_bomb_is_real() -> None:
    """What the tests below send: small on the wire, 400 megapixels declared, a valid PNG."""
    bomb = png_bomb()

    assert len(bomb) < 600_000
    with pytest.raises(Image.DecompressionBombError, match="400000000 pixels"):
        Image.open(io.BytesIO(bomb))  # Pillow reads the header and calls it a bomb


class TestPhotos:
    async def test_a_png_bomb_is_refused_undecoded_and_nothing_is_stored(
        self, client: httpx.AsyncClient, arrange: Arrange, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, accident_type="single_vehicle", other_party=None)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/survey/photos",
            data={"slot": "front_view"},
            files={"file": ("photo.png", png_bomb(), "image/png")},
            headers=arrange.member(member),
        )

        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"].endswith("/image-too-large")
        assert (problem["width"], problem["height"]) == (20_000, 20_000)
        assert "20,000 × 20,000" in problem["detail"]
        assert problem["field"] == "file"
        survey = (
            await client.get(f"/api/v1/claims/{claim['id']}/survey", headers=arrange.member(member))
        ).json()
        assert all(slot["photo"] is None for slot in survey["slots"])
        assert stored_files(service_settings, claim["id"]) == []

    async def test_a_side_longer_than_allowed_is_refused_whatever_the_pixel_count(
        self, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, accident_type="single_vehicle", other_party=None)

        response = await arrange.upload(member, claim["id"], "front_view", png_bomb(20_000, 8))

        assert response.status_code == 422
        assert response.json()["max_side"] == 16_384

    async def test_an_ordinary_photo_still_goes_through(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, accident_type="single_vehicle", other_party=None)

        response = await arrange.upload(member, claim["id"], "front_view", arrange.jpeg(size=(4000, 3000)))

        assert response.status_code == 201, response.text
        assert (response.json()["width"], response.json()["height"]) == (4000, 3000)


class TestDocuments:
    async def test_a_png_bomb_scan_is_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, arrange: Arrange, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/documents",
            data={"kind": "id_card"},
            files={"file": ("scan.png", png_bomb(), "image/png")},
            headers=arrange.member(member),
        )

        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/image-too-large")
        checklist = (
            await client.get(f"/api/v1/claims/{claim['id']}/documents", headers=arrange.member(member))
        ).json()
        assert checklist["documents"] == []
        assert stored_files(service_settings, claim["id"]) == []
