"""Keyset pagination shared by the list routes: an opaque cursor over ``(created_at, id)``."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from cheyou_kit.errors import BadRequest
from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")

LimitQuery = Annotated[int, Query(ge=1, le=200)]
CursorQuery = Annotated[str | None, Query(max_length=200)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"
    title = "The cursor is not valid"


def encode_cursor(created_at: datetime, key: Any) -> str:
    raw = json.dumps([created_at.isoformat(), str(key)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        created_at, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(created_at), str(key)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("cursor: not a cursor this service issued", field="cursor") from exc
