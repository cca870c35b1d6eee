from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery
from fastapi import APIRouter, Depends, Header, Query, Request

from notify_svc.auth import OPS_ONLY_AT_THE_GATEWAY, OpsDep
from notify_svc.config import SettingsDep
from notify_svc.feeds import polling, service, signatures
from notify_svc.feeds.errors import ProviderNotPulled
from notify_svc.feeds.schemas import (
    FeedItemPage,
    FeedItemRead,
    ItemStatus,
    PollResult,
    Provider,
    ProviderRead,
    ProvidersRead,
    PushAccepted,
    ReplayRequest,
    ReplayResult,
    ViolationPush,
    WeatherPush,
)

webhooks_router = APIRouter(prefix="/feed-webhooks", tags=["feeds"])
router = APIRouter(prefix="/feeds", tags=["feeds"])


def _signed(provider: Provider) -> object:
    """A dependency that lets only a push signed by ``provider`` through (before the body is parsed)."""

    async def verify(
        request: Request,
        settings: SettingsDep,
        webhook_id: Annotated[str | None, Header()] = None,
        webhook_timestamp: Annotated[str | None, Header()] = None,
        webhook_signature: Annotated[str | None, Header()] = None,
    ) -> str:
        secret = settings.feed_violations_secret if provider == "violations" else settings.feed_weather_secret
        signatures.verify(
            signatures.secrets_of(secret),
            webhook_id,
            webhook_timestamp,
            webhook_signature,
            await request.body(),
            datetime.now(UTC),
            settings.feed_signature_tolerance_seconds,
        )
        assert webhook_id is not None
        return webhook_id

    return Depends(verify)


def _tolerance(settings: SettingsDep) -> timedelta:
    return timedelta(seconds=settings.feed_signature_tolerance_seconds)


def _accepted(result: service.Ingested, repeated: bool) -> PushAccepted:
    return PushAccepted(
        received=result.received,
        matched=result.matched,
        skipped=result.skipped,
        duplicates=result.duplicates,
        repeated_delivery=repeated,
    )


@webhooks_router.post("/violations", response_model=PushAccepted)
async def push_violations(
    push: ViolationPush,
    session: SessionDep,
    settings: SettingsDep,
    delivery_id: Annotated[str, _signed("violations")],
) -> PushAccepted:
    """Traffic violations pushed by the provider (Standard Webhooks signature; at most 40 per push)."""
    result, repeated = await service.accept_push(
        session, "violations", push.items, delivery_id, datetime.now(UTC), _tolerance(settings)
    )
    return _accepted(result, repeated)


@webhooks_router.post("/weather", response_model=PushAccepted)
async def push_weather(
    push: WeatherPush,
    session: SessionDep,
    settings: SettingsDep,
    delivery_id: Annotated[str, _signed("weather")],
) -> PushAccepted:
    """Weather alerts pushed by the provider (Standard Webhooks signature; at most 40 per push)."""
    result, repeated = await service.accept_push(
        session, "weather", push.items, delivery_id, datetime.now(UTC), _tolerance(settings)
    )
    return _accepted(result, repeated)


@router.get("/items", response_model=FeedItemPage, openapi_extra=OPS_ONLY_AT_THE_GATEWAY)
async def list_items(
    session: SessionDep,
    _: OpsDep,
    provider: Provider | None = None,
    status: ItemStatus | None = None,
    subject: Annotated[str | None, Query(max_length=16, description="A plate or a region code.")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> FeedItemPage:
    """The items the feeds received, newest first: matched, or skipped with the reason."""
    found = await service.page(session, provider, status, subject, cursor, limit)
    return found.page(FeedItemRead.model_validate)


@router.get("/items/{item_id}", response_model=FeedItemRead, openapi_extra=OPS_ONLY_AT_THE_GATEWAY)
async def get_item(item_id: uuid.UUID, session: SessionDep, _: OpsDep) -> FeedItemRead:
    """One item as the provider sent it, and what became of it."""
    return FeedItemRead.model_validate(await service.get(session, item_id))


@router.post("/replays", response_model=ReplayResult, openapi_extra=OPS_ONLY_AT_THE_GATEWAY)
async def replay(data: ReplayRequest, session: SessionDep, principal: OpsDep) -> ReplayResult:
    """Match recorded items again and write the facts of those that match now (nobody is told twice)."""
    now = datetime.now(UTC)
    done = await service.replay(session, data, principal.actor_id, now)
    return ReplayResult(
        replayed=len(done.items),
        matched=done.matched,
        skipped=done.skipped,
        items=[FeedItemRead.model_validate(i) for i in done.items],
    )


@router.get("/providers", response_model=ProvidersRead, openapi_extra=OPS_ONLY_AT_THE_GATEWAY)
async def list_providers(request: Request, session: SessionDep, _: OpsDep) -> ProvidersRead:
    """Each provider: pushed or pulled, where its pull stands (cursor, failures, backoff), items by status."""
    cursors, counts = await service.providers(session)
    pullers: polling.FeedPullers | None = getattr(request.app.state, "feed_pullers", None)
    items = []
    provider: Provider
    for provider in ("violations", "weather"):
        cursor = cursors.get(provider)
        source = pullers.sources.get(provider) if pullers else None
        items.append(
            ProviderRead(
                provider=provider,
                kind=service.KIND[provider],
                pull_url=source.url if source else None,
                cursor=cursor.cursor if cursor else None,
                failures=cursor.failures if cursor else 0,
                next_poll_at=cursor.next_poll_at if cursor else None,
                last_polled_at=cursor.last_polled_at if cursor else None,
                last_success_at=cursor.last_success_at if cursor else None,
                last_error=cursor.last_error if cursor else None,
                items_pulled=cursor.items_pulled if cursor else 0,
                counts={s: counts.get((provider, s), 0) for s in ("matched", "skipped")},
            )
        )
    return ProvidersRead(items=items)


@router.post("/providers/{provider}/pull", response_model=PollResult, openapi_extra=OPS_ONLY_AT_THE_GATEWAY)
async def pull_now(provider: Provider, request: Request, session: SessionDep, _: OpsDep) -> PollResult:
    """Pull one page from the provider now, even while it is backing off."""
    pullers: polling.FeedPullers | None = getattr(request.app.state, "feed_pullers", None)
    source = pullers.sources.get(provider) if pullers else None
    if pullers is None or source is None:
        raise ProviderNotPulled(f"{provider} has no pull URL configured")
    pulled = await polling.pull_once(session, pullers.client, source, datetime.now(UTC), force=True)
    cursor = await service.lock_cursor(session, provider)
    return PollResult(
        provider=provider,
        pulled=pulled,
        failures=cursor.failures,
        next_poll_at=cursor.next_poll_at,
        last_error=cursor.last_error,
    )
