"""What an uploaded file really is: its type by content (magic bytes), and for images their size and
the EXIF time and GPS position the camera recorded. Extensions and declared content types are ignored.

Decompression bombs: a few hundred kilobytes of PNG can declare 20,000 × 20,000 pixels, 400 MB once decoded.
Every image is checked from its header (its format's reader parses no pixel data) against explicit limits —
pixels on a side, pixels in all, and the memory its decoded form takes in its mode — before anything is
decoded; Pillow's global ``MAX_IMAGE_PIXELS`` warning is not what stops it.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import UploadFile
from PIL import ExifTags, Image, ImageFile, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from claims_svc.errors import EmptyFile, FileTooLarge, ImageTooLarge, UnreadableImage, UnsupportedFileType

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


@dataclass(frozen=True)
class ImageLimits:
    """What one uploaded image may declare; checked from its header, before decoding."""

    max_pixels: int
    max_side: int
    max_decoded_bytes: int


_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
"""Memory per pixel of a decoded image in Pillow, by mode; any other mode takes 4 (RGB is kept in 32 bits)."""


def decoded_bytes(width: int, height: int, mode: str) -> int:
    return width * height * _BYTES_PER_PIXEL.get(mode, 4)


@dataclass(frozen=True)
class ImageFacts:
    content_type: str
    width: int
    height: int
    taken_at: datetime | None
    gps: tuple[float, float] | None


async def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, refusing (413) anything over ``max_bytes`` without reading it all."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"at most {max_bytes} bytes", field="file", max_bytes=max_bytes)
    if not data:
        raise EmptyFile(field="file")
    return data


def sniff(data: bytes) -> str | None:
    """The content type by the file's first bytes, or None."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def require_type(data: bytes, accepted: frozenset[str]) -> str:
    kind = sniff(data)
    if kind not in accepted:
        raise UnsupportedFileType(
            f"accepted: {', '.join(sorted(accepted))}", field="file", accepted=sorted(accepted)
        )
    return kind


async def inspect_image(data: bytes, *, limits: ImageLimits, timezone: str) -> ImageFacts:
    """Check the image's declared size (a bomb is refused undecoded), then decode it fully (a corrupt or
    disguised file is refused) and read its EXIF."""
    content_type = require_type(data, frozenset({"image/jpeg", "image/png"}))
    return await asyncio.to_thread(_inspect, data, content_type, limits, timezone)


def check_declared_size(data: bytes, content_type: str, limits: ImageLimits) -> None:
    """For an image stored as it is (a document scan): refuse a bomb from its header, decode nothing."""
    with _opened(data, content_type, limits):
        pass


_READERS: dict[str, type[ImageFile.ImageFile]] = {
    "image/jpeg": JpegImagePlugin.JpegImageFile,
    "image/png": PngImagePlugin.PngImageFile,
}
"""The format's own reader, picked by the sniffed type: it parses the header only, and — unlike
``Image.open`` — leaves the size check to us, so our limits decide, not Pillow's global guard."""


@contextmanager
def _opened(data: bytes, content_type: str, limits: ImageLimits) -> Iterator[Image.Image]:
    """The image's header (no pixel data read), with the declared size checked against the limits."""
    try:
        image = _READERS[content_type](io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError) as exc:
        raise UnreadableImage(f"cannot decode the image: {exc}", field="file") from exc
    with image:
        width, height = image.size
        memory = decoded_bytes(width, height, image.mode)
        if (
            width > limits.max_side
            or height > limits.max_side
            or width * height > limits.max_pixels
            or memory > limits.max_decoded_bytes
        ):
            raise ImageTooLarge(
                f"the image declares {width:,} × {height:,} pixels ({width * height:,}, about "
                f"{memory / 2**20:,.0f} MiB decoded in mode {image.mode}); at most {limits.max_side:,} on a "
                f"side, {limits.max_pixels:,} in all and {limits.max_decoded_bytes / 2**20:,.0f} MiB decoded",
                field="file",
                width=width,
                height=height,
                max_pixels=limits.max_pixels,
                max_side=limits.max_side,
            )
        yield image


def _inspect(data: bytes, content_type: str, limits: ImageLimits, timezone: str) -> ImageFacts:
    with _opened(data, content_type, limits) as image:
        try:
            exif = image.getexif()
            image.load()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as exc:
            raise UnreadableImage(f"cannot decode the image: {exc}", field="file") from exc
        return ImageFacts(
            content_type=content_type,
            width=image.width,
            height=image.height,
            taken_at=_taken_at(exif, ZoneInfo(timezone)),
            gps=_gps(exif),
        )


def _taken_at(exif: Image.Exif, zone: ZoneInfo) -> datetime | None:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    raw = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(raw, str):
        return None
    try:
        taken = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str):
        try:
            return datetime.fromisoformat(taken.isoformat() + offset.strip("\x00 "))
        except ValueError:
            pass
    return taken.replace(tzinfo=zone)  # cameras record local time; ours is the branch's


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lng = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _degrees(value: tuple[float, float, float], ref: str) -> float:
    d, m, s = (float(part) for part in value)
    degrees = d + m / 60 + s / 3600
    return -degrees if ref in ("S", "W") else degrees


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
