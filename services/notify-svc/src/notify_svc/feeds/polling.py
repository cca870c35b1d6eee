"""Pulling the providers that only offer a pull API: one kit ``PeriodicJob`` per provider.

The provider's API: ``GET <pull_url>?cursor=<c>&limit=<n>`` with ``Authorization: Bearer <token>``,
answering ``{"items": [...], "next_cursor": "..."}`` (the items as it would push them; ``next_cursor``
is where the next pull starts, the same cursor again when nothing is new). Each batch pulls one page and
records its items and the new cursor in one transaction, so a crash repeats a page at most (and its
items are recorded once by their provider ids); the job pulls again at once while pages come back full.

A failed pull (no answer, an HTTP error, not JSON) is recorded on the cursor with a backoff doubling
from the interval up to ``NOTIFY_FEED_BACKOFF_MAX_SECONDS``; the rounds in between do nothing. One
replica pulls a provider at a time (the job's advisory lock, and the cursor's row lock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from cheyou_kit.periodic import PeriodicJob
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.feeds import service
from notify_svc.feeds.service import Provider

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PullSource:
    provider: Provider
    url: str
    token: str
    page: int
    interval: float
    backoff_ceiling: float
    timeout: float


class PullFailed(Exception):
    pass


async def fetch(
    client: httpx.AsyncClient, source: PullSource, cursor: str | None
) -> tuple[list[Any], str | None]:
    """One page of the provider's pull API: (raw items, next cursor)."""
    params: dict[str, str | int] = {"limit": source.page}
    if cursor:
        params["cursor"] = cursor
    headers = {"Authorization": f"Bearer {source.token}"} if source.token else {}
    try:
        response = await client.get(source.url, params=params, headers=headers, timeout=source.timeout)
    except httpx.HTTPError as exc:
        raise PullFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise PullFailed(f"HTTP {response.status_code}: {response.text[:120]}")
    try:
        body = response.json()
    except ValueError:
        raise PullFailed("the answer is not JSON") from None
    items, next_cursor = (
        (body.get("items"), body.get("next_cursor")) if isinstance(body, dict) else (None, None)
    )
    if not isinstance(items, list) or not (next_cursor is None or isinstance(next_cursor, str)):
        raise PullFailed("the answer has no items list (or a next_cursor that is not text)")
    return items, next_cursor


async def pull_once(
    session: AsyncSession,
    client: httpx.AsyncClient,
    source: PullSource,
    now: datetime,
    *,
    force: bool = False,
) -> int:
    """One page, unless the provider is backing off (``force``: anyway); how many items the page had."""
    cursor = await service.lock_cursor(session, source.provider)
    if not force and cursor.next_poll_at is not None and now < cursor.next_poll_at:
        return 0
    try:
        items, next_cursor = await fetch(client, source, cursor.cursor)
    except PullFailed as exc:
        await service.record_pull_failure(
            session, cursor, str(exc), now, source.interval, source.backoff_ceiling
        )
        log.warning(
            "feed pull failed",
            extra={"provider": source.provider, "failures": cursor.failures, "error": str(exc)[:200]},
        )
        return 0
    await service.record_pull(session, cursor, source.provider, items, next_cursor, now)
    return len(items)


def pull_job(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, source: PullSource
) -> PeriodicJob:
    async def batch(session: AsyncSession, now: datetime) -> int:
        return await pull_once(session, client, source, now)

    return PeriodicJob(
        f"notify-feed-pull-{source.provider}",
        batch,
        sessions=sessions,
        interval_s=source.interval,
        batch_size=source.page,
        single_replica=True,
    )


class FeedPullers:
    """The app component: one HTTP client for the provider APIs and a pull job per pulled provider."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], sources: list[PullSource]) -> None:
        self.sessions = sessions
        self.sources = {source.provider: source for source in sources}
        self.client = httpx.AsyncClient()
        self._jobs = [pull_job(sessions, self.client, source) for source in sources]

    async def start(self) -> None:
        for job in self._jobs:
            await job.start()

    async def stop(self) -> None:
        for job in self._jobs:
            await job.stop()
        await self.client.aclose()
