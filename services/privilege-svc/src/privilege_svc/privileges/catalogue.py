"""The catalogue as one cached answer: ``GET /privileges`` encoded once, served with an ``ETag``.

The catalogue (~30 KB: every privilege with every tier's terms) changes a few times a year and is read on
every member's home page. Built per request it cost two queries, ~200 ORM objects, their validation and
the encoding (issue 20: 53 requests/s). Now the encoded body and its ``ETag`` stay in the process:

- a terms change committed by this process drops it at once (``after_commit`` of the session that made
  it), so the next read is built from the new rows;
- another replica's change reaches this one within ``PRIVILEGE_CATALOGUE_CACHE_SECONDS`` (the age after
  which the body is built again);
- a client that sends ``If-None-Match`` with the current ``ETag`` gets ``304`` and no body.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from cheyou_kit.pagination import Page
from pydantic import TypeAdapter
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.privileges import service
from privilege_svc.privileges.schemas import PrivilegeRead, TermsRead

_PAGE = TypeAdapter(Page[PrivilegeRead])


@dataclass(frozen=True)
class Encoded:
    body: bytes
    etag: str


async def build(session: AsyncSession) -> Page[PrivilegeRead]:
    rows = await service.list_privileges(session)
    items = [
        PrivilegeRead.model_validate(p).model_copy(
            update={"terms": [TermsRead.model_validate(t) for t in terms]}
        )
        for p, terms in rows
    ]
    return Page(items=items, next_cursor=None)


class CatalogueCache:
    def __init__(self, max_age_seconds: float) -> None:
        self._max_age = max_age_seconds
        self._encoded: Encoded | None = None
        self._built_at = 0.0
        self._generation = 0

    async def get(self, session: AsyncSession) -> Encoded:
        encoded = self._encoded
        if encoded is not None and time.monotonic() - self._built_at < self._max_age:
            return encoded
        generation, started = self._generation, time.monotonic()
        body = _PAGE.dump_json(await build(session))
        encoded = Encoded(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        if generation == self._generation:  # no change committed while this one was being built
            self._encoded, self._built_at = encoded, started
        return encoded

    def invalidate(self) -> None:
        self._generation += 1
        self._encoded = None

    def invalidate_after_commit(self, session: AsyncSession) -> None:
        """Drop the cached catalogue once ``session``'s transaction has committed (not before: a read in
        between would cache the old rows again)."""
        event.listen(session.sync_session, "after_commit", lambda _: self.invalidate(), once=True)
