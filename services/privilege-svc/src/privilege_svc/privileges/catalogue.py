"""The catalogue as one cached answer: ``GET /privileges`` encoded once, served with an ``ETag``.

The catalogue (~30 KB: every privilege with every tier's terms) changes a few times a year and is read on
every member's home page. Built per request it cost two queries, ~200 ORM objects, their validation and
the encoding (issue 20: 53 requests/s). Now the encoded body and its ``ETag`` stay in the process:

- a terms change committed by this process drops it at once (``after_commit`` of the session that made
  it), so the next read is built from the new rows;
- another replica's change reaches this one within ``PRIVILEGE_CATALOGUE_CACHE_SECONDS`` (the age after
  which the body is built again);
- a client that sends ``If-None-Match`` with the current ``ETag`` gets ``304`` and no body.

A member's entitlements read the same rows from here (``GET /entitlements/{member}``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Annotated

from cheyou_kit.pagination import Page
from fastapi import Depends, Request
from pydantic import TypeAdapter
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from privilege_svc.privileges import service
from privilege_svc.privileges.models import Privilege, PrivilegeTerms
from privilege_svc.privileges.schemas import PrivilegeRead, TermsRead

_PAGE = TypeAdapter(Page[PrivilegeRead])


Rows = list[tuple[Privilege, list[PrivilegeTerms]]]
"""Each privilege with its current terms for every tier, as ``service.list_privileges`` reads them."""


@dataclass(frozen=True)
class Encoded:
    body: bytes
    etag: str


@dataclass(frozen=True)
class Snapshot:
    rows: Rows
    """Read-only: the same objects serve every request until the next build (never add them to a session)."""
    encoded: Encoded


def encode(rows: Rows) -> Encoded:
    items = [
        PrivilegeRead.model_validate(p).model_copy(
            update={"terms": [TermsRead.model_validate(t) for t in terms]}
        )
        for p, terms in rows
    ]
    body = _PAGE.dump_json(Page(items=items, next_cursor=None))
    return Encoded(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


class CatalogueCache:
    def __init__(self, max_age_seconds: float) -> None:
        self._max_age = max_age_seconds
        self._snapshot: Snapshot | None = None
        self._built_at = 0.0
        self._generation = 0

    async def get(self, sessions: async_sessionmaker[AsyncSession]) -> Encoded:
        """The encoded catalogue; a session (from ``sessions``) only when it is built again."""
        return (await self.snapshot(sessions)).encoded

    async def rows(self, sessions: async_sessionmaker[AsyncSession]) -> Rows:
        """The catalogue's rows (for reads that show it, such as a member's entitlements; a booking reads
        the terms under its own transaction)."""
        return (await self.snapshot(sessions)).rows

    async def snapshot(self, sessions: async_sessionmaker[AsyncSession]) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._built_at < self._max_age:
            return snapshot
        generation, started = self._generation, time.monotonic()
        async with sessions() as session:  # reads only; closing it ends the transaction
            rows = await service.list_privileges(session)
        snapshot = Snapshot(rows, encode(rows))
        if generation == self._generation:  # no change committed while this one was being built
            self._snapshot, self._built_at = snapshot, started
        return snapshot

    def invalidate(self) -> None:
        self._generation += 1
        self._snapshot = None

    def invalidate_after_commit(self, session: AsyncSession) -> None:
        """Drop the cached catalogue once ``session``'s transaction has committed (not before: a read in
        between would cache the old rows again)."""
        event.listen(session.sync_session, "after_commit", lambda _: self.invalidate(), once=True)


async def catalogue_of(request: Request) -> CatalogueCache:
    cache: CatalogueCache = request.app.state.catalogue
    return cache


CatalogueDep = Annotated[CatalogueCache, Depends(catalogue_of)]
"""The app's catalogue cache (``main.create_app`` makes it), in a route."""
