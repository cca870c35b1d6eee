from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from cheyou_devinfra.manager import Infra
from cheyou_kit.pagination import InvalidCursor, decode_cursor, encode_cursor, next_cursor, paginate
from sqlalchemy import DateTime, String, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def test_a_cursor_round_trips_its_sort_key() -> None:
    at, ident = datetime(2026, 11, 25, 8, 30, tzinfo=UTC), uuid.uuid4()
    cursor = encode_cursor(at, ident)
    assert decode_cursor(cursor, datetime.fromisoformat, uuid.UUID) == (at, ident)
    assert "=" not in cursor


def test_no_cursor_means_the_first_page() -> None:
    assert decode_cursor(None, str) is None
    assert decode_cursor("", str) is None


@pytest.mark.parametrize(
    "cursor",
    ["not base64 at all!", encode_cursor("only-one"), encode_cursor("x", "not-a-date"), "e30"],
)
def test_a_foreign_cursor_is_a_400_naming_the_parameter(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as raised:
        decode_cursor(cursor, str, datetime.fromisoformat)
    assert raised.value.status == 400
    assert raised.value.extensions["field"] == "cursor"


def test_next_cursor_only_when_the_repository_found_more_rows() -> None:
    rows = [(3, "c"), (2, "b"), (1, "a")]
    assert next_cursor(rows, 3, lambda r: r) is None
    assert decode_cursor(next_cursor(rows, 2, lambda r: r), int, str) == (2, "b")


class _Base(DeclarativeBase):
    pass


class _Visit(_Base):
    __tablename__ = f"paginate_{uuid.uuid4().hex[:10]}"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    manager: Mapped[str] = mapped_column(String(20))


@pytest.fixture
async def visits(infra: Infra) -> AsyncIterator[tuple[AsyncSession, list[_Visit]]]:
    """Seven visits of manager a (three at the same instant, so the key needs the id) and one of b."""
    engine = create_async_engine(make_url(infra.postgres_dsn).set(drivername="postgresql+asyncpg"))
    async with engine.begin() as connection:
        await connection.run_sync(_Base.metadata.create_all)
    start = datetime(2014, 7, 1, 9, tzinfo=UTC)
    rows = [
        _Visit(id=uuid.uuid4(), visited_at=start + timedelta(hours=min(i, 3)), manager="a") for i in range(7)
    ]
    rows.append(_Visit(id=uuid.uuid4(), visited_at=start, manager="b"))
    async with AsyncSession(engine, expire_on_commit=False) as session:
        session.add_all(rows)
        await session.commit()
        yield session, rows[:7]
    async with engine.begin() as connection:
        await connection.run_sync(_Base.metadata.drop_all)
    await engine.dispose()


async def _walk(session: AsyncSession, limit: int, *, descending: bool) -> list[list[uuid.UUID]]:
    pages, cursor = [], None
    while True:
        query = select(_Visit).where(_Visit.manager == "a")
        found = await paginate(
            session, query, cursor, limit, by=(_Visit.visited_at, _Visit.id), descending=descending
        )
        pages.append([v.id for v in found.rows])
        if found.next_cursor is None:
            return pages
        cursor = found.next_cursor


class TestPaginate:
    @pytest.mark.parametrize("descending", [False, True])
    async def test_pages_walk_every_row_once_in_key_order(
        self, visits: tuple[AsyncSession, list[_Visit]], descending: bool
    ) -> None:
        session, rows = visits
        pages = await _walk(session, 3, descending=descending)
        expected = [v.id for v in sorted(rows, key=lambda v: (v.visited_at, v.id), reverse=descending)]
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [i for page in pages for i in page] == expected

    async def test_a_last_page_that_is_full_has_no_next_cursor(
        self, visits: tuple[AsyncSession, list[_Visit]]
    ) -> None:
        session, _ = visits
        assert [len(p) for p in await _walk(session, 7, descending=False)] == [7]

    async def test_a_slice_maps_its_rows_into_the_page_a_route_answers(
        self, visits: tuple[AsyncSession, list[_Visit]]
    ) -> None:
        session, rows = visits
        query = select(_Visit).where(_Visit.manager == "a")
        found = await paginate(session, query, None, 2, by=(_Visit.visited_at, _Visit.id))
        page = found.page(lambda v: str(v.id))
        first = sorted(rows, key=lambda v: (v.visited_at, v.id))[:2]
        assert page.items == [str(v.id) for v in first]
        assert decode_cursor(page.next_cursor, datetime.fromisoformat, uuid.UUID) == (
            first[1].visited_at,
            first[1].id,
        )

    async def test_a_foreign_cursor_is_a_400(self, visits: tuple[AsyncSession, list[_Visit]]) -> None:
        session, _ = visits
        with pytest.raises(InvalidCursor):
            await paginate(
                session, select(_Visit), encode_cursor("x", "y"), 2, by=(_Visit.visited_at, _Visit.id)
            )
