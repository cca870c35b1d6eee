"""QR codes as PNG and SVG (member cards, managers' invite codes), drawn by the ``qrcode`` library."""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def png(data: str, box_size: int = 8) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def svg(data: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(data)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=4096)
def card_png(code: str) -> bytes:
    """A member card's QR, drawn once per code: a code stays the same for half its lifetime
    (``PiiCipher.card_code``), and drawing it cost ~15 ms of CPU. ~1 KB each, 4,096 at most."""
    return png(code)
