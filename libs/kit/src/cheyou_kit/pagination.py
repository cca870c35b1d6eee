"""Cursor pagination for every list route: ``?cursor=&limit=`` in, ``{items, next_cursor}`` out.

A cursor is the sort key of the last row of a page, as URL-safe base64 JSON; clients treat it as
opaque. A repository builds its filtered query and lets ``paginate`` order it by the key, apply the
cursor and fetch ``limit + 1`` rows to learn whether a next page exists; the router maps the rows::

    # repository
    async def page(session, status, cursor, limit) -> Slice[Task]:
        query = select(Task).where(Task.status == status)
        return await paginate(session, query, cursor, limit, by=(Task.created_at, Task.id))

    # router (through the service)
    return (await service.page(session, status, cursor, limit)).page(TaskRead.model_validate)

``decode_cursor``/``next_cursor`` stay for the few lists that are not one SQL query.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

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


@dataclass(frozen=True)
class Slice(Generic[R]):
    """One page of rows as a repository returns it: the rows and the cursor of the next page."""

    rows: Sequence[R]
    next_cursor: str | None

    def page(self, read: Callable[[R], T]) -> Page[T]:
        """The page a route answers, each row through `read` (e.g. ``TaskRead.model_validate``)."""
        return Page(items=[read(row) for row in self.rows], next_cursor=self.next_cursor)


async def paginate(
    session: AsyncSession,
    query: Select[R],
    cursor: str | None,
    limit: int,
    *,
    by: Sequence[InstrumentedAttribute[Any]],
    descending: bool = False,
) -> Slice[R]:
    """One keyset page of `query` (a select of one mapped class, filtered but not ordered or limited).

    Rows are ordered by the columns `by` (all ascending, or all descending), which must identify a row
    (end with the primary key); the cursor carries the last row's values of them. A cursor this service
    did not issue is a 400 (`InvalidCursor`).
    """
    after = decode_cursor(cursor, *(_parser(column) for column in by))
    query = query.order_by(*(column.desc() if descending else column.asc() for column in by))
    if after is not None:
        key, position = tuple_(*by), tuple_(*after)
        query = query.where(key < position if descending else key > position)
    rows = (await session.scalars(query.limit(limit + 1))).all()
    return Slice(
        rows=rows[:limit],
        next_cursor=next_cursor(rows, limit, lambda row: tuple(getattr(row, column.key) for column in by)),
    )


def _parser(column: InstrumentedAttribute[Any]) -> Callable[[Any], Any]:
    """How a cursor value of `column` is read back: its Python type, dates from ISO 8601."""
    try:
        kind = column.type.python_type
    except NotImplementedError:  # SQLAlchemy's answer for a type that names no Python type (JSON, arrays)
        return _same
    if kind in (datetime, date):
        return kind.fromisoformat  # type: ignore[no-any-return]
    if kind in (uuid.UUID, int, str):
        return kind  # type: ignore[no-any-return]
    return _same


def _same(value: Any) -> Any:
    return value
