from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cheyou_kit.pagination import InvalidCursor, decode_cursor, encode_cursor, next_cursor


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
