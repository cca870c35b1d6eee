"""Cursor pagination: ``?cursor=&limit=`` in, ``{items, next_cursor}`` out, newest first."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from cheyou_kit.errors import BadRequest
from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"
    title = "The cursor is not valid"


Position = tuple[datetime, str]
"""Where a page ends: the (timestamp, id) of its last row."""


def encode_cursor(position: Position) -> str:
    raw = json.dumps([position[0].isoformat(), position[1]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, ident = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), str(ident)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("cursor: not a cursor this service issued", field="cursor") from exc


def next_cursor(positions: list[Position], limit: int) -> str | None:
    """The cursor of the next page when this page is full (repositories fetch ``limit + 1`` rows)."""
    return encode_cursor(positions[limit - 1]) if len(positions) > limit else None
