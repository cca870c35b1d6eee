"""Cursor pagination for every list route: ``?cursor=&limit=`` in, ``{items, next_cursor}`` out.

A cursor is the sort key of the last row of a page, as URL-safe base64 JSON; clients treat it as
opaque. Repositories fetch ``limit + 1`` rows to learn whether a next page exists::

    position = decode_cursor(cursor, datetime.fromisoformat, str)   # None on the first page
    rows = await repo.list(after=position, limit=limit + 1)
    return Page(items=rows[:limit], next_cursor=next_cursor(rows, limit, lambda r: (r.created_at, r.id)))
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from cheyou_kit.errors import BadRequest

T = TypeVar("T")
R = TypeVar("R")

CursorQuery = Annotated[str | None, Query(max_length=500, description="The previous page's next_cursor.")]
LimitQuery = Annotated[int, Query(ge=1, le=200, description="Rows per page.")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"
    title = "The cursor is not one this service issued"


def encode_cursor(*values: Any) -> str:
    """A cursor made of the sort key's values (dates and UUIDs are stored as their ``str``)."""
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *parsers: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The values a cursor was made of, each through its parser; ``None`` without a cursor.

    A cursor that is not one we issued (bad base64, wrong arity, unparsable value) is a 400 naming
    the ``cursor`` parameter.
    """
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(parsers):
            raise ValueError(cursor)
        return tuple(parse(value) for parse, value in zip(parsers, values, strict=True))
    except (ValueError, TypeError):
        raise InvalidCursor("cursor: not a cursor this service issued", field="cursor") from None


def next_cursor(rows: Sequence[R], limit: int, key: Callable[[R], tuple[Any, ...]]) -> str | None:
    """The cursor of the page after ``rows[:limit]`` when the repository found more (``limit + 1`` rows)."""
    return encode_cursor(*key(rows[limit - 1])) if len(rows) > limit else None
