"""Objects as files under one directory (development, tests, a single-node install)."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

from claims_svc.storage import StoredFile, checked_key, content_type_of


class LocalDirectoryStorage:
    """A write is atomic (temporary file, then rename); the content type is the key's extension."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / checked_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        checked_key(key, content_type)
        await asyncio.to_thread(self._write, self.path(key), data)

    async def get(self, key: str) -> StoredFile:
        data = await asyncio.to_thread(self.path(key).read_bytes)
        return StoredFile(data=data, content_type=content_type_of(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.discard, key)

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)  # one unlink: too quick to be worth a thread

    async def check(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"{self.root} is not writable")

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        temporary.write_bytes(data)
        os.replace(temporary, path)
