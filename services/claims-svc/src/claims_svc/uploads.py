"""What an uploaded file really is: its type by content (magic bytes), and for images their size and
the EXIF time and GPS position the camera recorded. Extensions and declared content types are ignored."""

from __future__ import annotations

import asyncio
import io
import math
import warnings
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cheyou_kit.errors import Unprocessable
from fastapi import UploadFile
from PIL import ExifTags, Image, UnidentifiedImageError

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


class UnsupportedFileType(Unprocessable):
    status = 415
    slug = "unsupported-file-type"
    title = "The file is not of an accepted type"


class FileTooLarge(Unprocessable):
    status = 413
    slug = "file-too-large"
    title = "The file is larger than allowed"


class EmptyFile(Unprocessable):
    slug = "empty-file"
    title = "The file is empty"


class UnreadableImage(Unprocessable):
    slug = "unreadable-image"
    title = "The image cannot be decoded"


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


async def inspect_image(data: bytes, *, max_pixels: int, timezone: str) -> ImageFacts:
    """Decode the image fully (a corrupt or disguised file is refused) and read its EXIF."""
    content_type = require_type(data, frozenset({"image/jpeg", "image/png"}))
    return await asyncio.to_thread(_inspect, data, content_type, max_pixels, timezone)


def _inspect(data: bytes, content_type: str, max_pixels: int, timezone: str) -> ImageFacts:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise UnreadableImage(f"more than {max_pixels} pixels", field="file")
            exif = image.getexif()
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
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
