"""Cursor pagination: ``?cursor=&limit=`` in, ``{items, next_cursor}`` out; the cursor is opaque."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from cheyou_kit.errors import BadRequest
from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise BadRequest("cursor: not a cursor this service issued", field="cursor") from None
    if not isinstance(key, list):
        raise BadRequest("cursor: not a cursor this service issued", field="cursor")
    return key


Limit = Annotated[int, Query(ge=1, le=200)]
