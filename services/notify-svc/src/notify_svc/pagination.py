"""Opaque keyset cursors: the last row's sort key, as URL-safe base64 JSON."""

from __future__ import annotations

import base64
import json
from typing import Any

from cheyou_kit.errors import BadRequest


class BadCursor(BadRequest):
    slug = "bad-cursor"


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode(cursor: str | None, length: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise BadCursor("cursor is not one this API returned", field="cursor") from None
    if not isinstance(key, list) or len(key) != length:
        raise BadCursor("cursor is not one this API returned", field="cursor")
    return key
