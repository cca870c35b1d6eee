"""Where claim photos and documents are kept: one interface, a local directory by default and an
S3-compatible bucket when ``CLAIMS_S3_BUCKET`` is set.

Files are written before the transaction that references them commits, and deleted only after the
transaction that forgets them commits (``storage.transactions``); a file orphaned by a crash has no row,
so nobody can reach it through the API.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


class FileStorage(Protocol):
    """Binary objects under slash-separated keys whose extension names their content type."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store (or replace) the object; ``ValueError`` for a bad key or a type its extension denies."""
        ...

    async def get(self, key: str) -> StoredFile:
        """The object and its content type; ``FileNotFoundError`` when there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; removing one that is not there is not an error."""
        ...

    def discard(self, key: str) -> None:
        """Delete without awaiting (called from a transaction hook) and without blocking the event loop.

        Best effort: the deletion may finish after this returns; ``stop()`` waits for it."""
        ...

    async def check(self) -> None:
        """Raise if the storage cannot be used (readiness)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Finish pending discards and release connections."""
        ...


def checked_key(key: str, content_type: str | None = None) -> str:
    """``key`` if it is a safe relative key (and, given a content type, its extension agrees with it)."""
    if not _KEY.match(key) or ".." in key.split("/") or len(key) > 512:
        raise ValueError(f"invalid storage key {key!r}")
    if content_type is not None and content_type_of(key) != content_type:
        raise ValueError(f"key {key!r} does not name a {content_type} file")
    return key


def content_type_of(key: str) -> str:
    """The content type the key's extension names (keys are built from the sniffed type)."""
    guessed, _ = mimetypes.guess_type(key, strict=True)
    return guessed or "application/octet-stream"


async def get_storage(request: Request) -> FileStorage:
    storage: FileStorage = request.app.state.storage
    return storage


StorageDep = Annotated[FileStorage, Depends(get_storage)]
"""The app's file storage, in a route."""
