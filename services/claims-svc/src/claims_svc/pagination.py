"""Cursor pagination: every list answers ``{items, next_cursor}``; the cursor is opaque to clients."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from cheyou_kit.errors import BadRequest
from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"
    title = "The cursor is not one this service issued"


def encode_cursor(*values: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *parsers: Callable[[str], Any]) -> tuple[Any, ...] | None:
    """The values a cursor was made of, each parsed by its parser; 400 naming ``cursor`` if foreign."""
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(parsers):
            raise ValueError(cursor)
        return tuple(parse(value) for parse, value in zip(parsers, values, strict=True))
    except (ValueError, TypeError):
        raise InvalidCursor(field="cursor") from None


CursorQuery = Annotated[
    str | None, Query(max_length=500, description="From the previous page's next_cursor.")
]
LimitQuery = Annotated[int, Query(ge=1, le=100)]
