"""Where claim photos and documents are kept: a storage interface and its local-directory implementation.

Files are written before the transaction that references them commits. A file whose transaction rolls
back is deleted again (``discard_on_rollback``); one that survives a crash has no row, so nobody can
reach it through the API.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from pathlib import Path
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
_PENDING = "claims_svc.storage.pending"


class FileStorage(Protocol):
    """Binary objects under slash-separated keys (an S3-compatible bucket in production)."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes:
        """The object's bytes; ``FileNotFoundError`` when there is none."""
        ...

    async def delete(self, key: str) -> None: ...

    def discard(self, key: str) -> None:
        """Delete without awaiting (called from a rollback hook); best effort."""
        ...


class LocalDirectoryStorage:
    """Objects as files under one directory; a write is atomic (temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key.split("/"):
            raise ValueError(f"invalid storage key {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.discard, key)

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        temporary.write_bytes(data)
        os.replace(temporary, path)


def discard_on_rollback(session: AsyncSession, storage: FileStorage, key: str) -> None:
    """Delete ``key`` again if the session's transaction rolls back instead of committing."""
    sync = session.sync_session
    pending: list[tuple[FileStorage, str]] | None = sync.info.get(_PENDING)
    if pending is None:
        pending = sync.info[_PENDING] = []
        event.listen(sync, "after_soft_rollback", _discard_pending)
        event.listen(sync, "after_commit", _forget_pending)
    pending.append((storage, key))


def _discard_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction may still commit
    for storage, key in session.info.pop(_PENDING, []):
        storage.discard(key)
    session.info[_PENDING] = []


def _forget_pending(session: Session) -> None:
    session.info[_PENDING] = []


async def put_for_transaction(session: AsyncSession, storage: FileStorage, key: str, data: bytes) -> None:
    """Store a file that a row written through ``session`` refers to; gone again if it rolls back."""
    discard_on_rollback(session, storage, key)
    await storage.put(key, data)


def get_storage(request: Request) -> FileStorage:
    storage: FileStorage = request.app.state.storage
    return storage


StorageDep = Annotated[FileStorage, Depends(get_storage)]
"""The app's file storage, in a route."""
