"""Recording what the providers send, matching it against our members, and writing the facts.

One path for a push, a pull and a replay: each item is decided (matched, or skipped with a reason), recorded
once by its provider id, and a matched item's fact goes to the outbox in the same transaction
(``TrafficViolationRecorded`` / ``WeatherAlertIssued`` on ``external.feed.events``); the reminders
consume it like any other event. An item recorded before changes nothing; an unknown plate or region is
recorded as skipped and answered like any other item, so a provider never retries it in a loop.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from cheyou_events import Envelope, add_event
from cheyou_events.catalogue.feeds import TrafficViolationRecorded, WeatherAlertIssued
from cheyou_kit.pagination import Slice
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.eventing import publish
from notify_svc.feeds import repository
from notify_svc.feeds.errors import FeedItemNotFound
from notify_svc.feeds.models import FeedCursor, FeedItem
from notify_svc.feeds.schemas import ReplayRequest, ViolationItem, WeatherItem
from notify_svc.reminders import service as reminders

log = logging.getLogger(__name__)

Provider = Literal["violations", "weather"]
KIND: Mapping[str, str] = {"violations": "violation", "weather": "weather_alert"}
ITEM_MODEL: Mapping[str, type[ViolationItem] | type[WeatherItem]] = {
    "violations": ViolationItem,
    "weather": WeatherItem,
}
# The national grades of weather warnings (GB/T 27962, 气象灾害预警信号): Ⅰ red … Ⅳ blue.
LEVEL_COLOUR: Mapping[int, Literal["red", "orange", "yellow", "blue"]] = {
    1: "red",
    2: "orange",
    3: "yellow",
    4: "blue",
}
FEEDS = publish.within("feeds")
"""The feeds' facts go out as ``notify-svc/feeds``: a source apart from the service's own messages."""
REGION_COUNT_CAP = 10_000
"""A weather item's ``matched`` counts the region's car owners up to this (the fan-out counts them all)."""


@dataclass
class Ingested:
    received: int = 0
    matched: int = 0
    skipped: int = 0
    duplicates: int = 0

    def add(self, status: str) -> None:
        self.received += 1
        if status == "matched":
            self.matched += 1
        else:
            self.skipped += 1


@dataclass(frozen=True)
class Decision:
    status: Literal["matched", "skipped"]
    reason: str | None
    matched: int
    envelope: Envelope[Any] | None


def _violation_event(item: ViolationItem, now: datetime) -> TrafficViolationRecorded:
    return TrafficViolationRecorded(
        violation_id=item.id,
        plate=item.plate,
        occurred_at=item.occurred_at,
        location=item.location,
        description=item.offence,
        fine_fen=item.fine_fen,
        penalty_points=item.points,
        recorded_at=item.recorded_at or now,
    )


def _weather_event(item: WeatherItem) -> WeatherAlertIssued:
    return WeatherAlertIssued(
        alert_id=item.id,
        region_code=item.region_code,
        kind=item.kind,
        level=LEVEL_COLOUR[item.level],
        headline=item.headline,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        issued_at=item.issued_at,
    )


async def decide(session: AsyncSession, item: ViolationItem | WeatherItem, now: datetime) -> Decision:
    """Whether the item concerns anyone we know, and the fact to write when it does."""
    if isinstance(item, ViolationItem):
        owners = await reminders.plate_owners(session, item.plate)
        if owners == 0:
            return Decision("skipped", "unknown_plate", 0, None)
        violation = _violation_event(item, now)
        return Decision("matched", None, owners, FEEDS.envelope(violation, subject=item.plate))
    if item.ends_at is not None and item.ends_at <= now:
        return Decision("skipped", "ended", 0, None)
    owners = await reminders.region_car_owners(session, item.region_code, REGION_COUNT_CAP)
    if owners == 0:
        return Decision("skipped", "unknown_region", 0, None)
    alert = _weather_event(item)
    return Decision("matched", None, owners, FEEDS.envelope(alert, subject=item.region_code))


def _subject(item: ViolationItem | WeatherItem) -> str:
    return item.plate if isinstance(item, ViolationItem) else item.region_code


async def ingest(
    session: AsyncSession,
    provider: Provider,
    items: Sequence[ViolationItem | WeatherItem],
    via: Literal["push", "pull"],
    now: datetime,
    delivery_id: str | None = None,
) -> Ingested:
    """Record each item once, write the facts of the matched ones; returns what became of them."""
    result = Ingested()
    known = await repository.existing_ids(session, provider, [i.id for i in items])
    for item in items:
        if item.id in known:
            result.duplicates += 1
            continue
        decision = await decide(session, item, now)
        added = await repository.add_item(
            session,
            {
                "id": uuid.uuid4(),
                "provider": provider,
                "provider_item_id": item.id,
                "kind": KIND[provider],
                "subject": _subject(item),
                "via": via,
                "delivery_id": delivery_id,
                "payload": item.model_dump(mode="json"),
                "status": decision.status,
                "reason": decision.reason,
                "matched": decision.matched,
                "event_id": decision.envelope.id if decision.envelope else None,
                "received_at": now,
                "decided_at": now,
                "replays": 0,
            },
        )
        if not added:  # the same item in the same batch, or a concurrent push of it
            result.duplicates += 1
            continue
        known.add(item.id)
        if decision.envelope is not None:
            await add_event(session, decision.envelope)
        result.add(decision.status)
    log.info(
        "feed items recorded",
        extra={"provider": provider, "via": via, "delivery": delivery_id, **result.__dict__},
    )
    return result


async def accept_push(
    session: AsyncSession,
    provider: Provider,
    items: Sequence[ViolationItem | WeatherItem],
    delivery_id: str,
    now: datetime,
    tolerance: timedelta,
) -> tuple[Ingested, bool]:
    """A verified push: (what became of its items, whether this push was seen before)."""
    await repository.prune_deliveries(session, provider, now - 2 * tolerance)
    if not await repository.add_delivery(session, provider, delivery_id, len(items), now):
        return Ingested(), True
    return await ingest(session, provider, items, "push", now, delivery_id), False


# --- pulling --------------------------------------------------------------------------------------------


def parse_pulled(
    provider: Provider, raw: Sequence[Any]
) -> tuple[list[ViolationItem | WeatherItem], list[str]]:
    """The items of a pulled page that are well formed, and a note for each one that is not.

    A malformed item is logged and passed over (the cursor moves past it): one bad item must not
    stop the feed in a loop of failing pulls."""
    model = ITEM_MODEL[provider]
    parsed: list[ViolationItem | WeatherItem] = []
    bad: list[str] = []
    for position, entry in enumerate(raw):
        try:
            parsed.append(model.model_validate(entry))
        except ValidationError as exc:
            ident = entry.get("id") if isinstance(entry, dict) else None
            bad.append(f"item {position} ({ident!r}): {exc.errors()[0]['msg']}")
    return parsed, bad


def backoff(failures: int, interval: float, ceiling: float) -> timedelta:
    """Doubling from the poll interval with each failure in a row, up to the ceiling."""
    return timedelta(seconds=min(ceiling, interval * 2 ** min(failures, 20)))


async def lock_cursor(session: AsyncSession, provider: Provider) -> FeedCursor:
    return await repository.lock_cursor(session, provider)


async def record_pull(
    session: AsyncSession,
    cursor: FeedCursor,
    provider: Provider,
    raw_items: Sequence[Any],
    next_cursor: str | None,
    now: datetime,
) -> Ingested:
    """A page pulled: its items recorded and the cursor moved, in one transaction."""
    items, bad = parse_pulled(provider, raw_items)
    if bad:
        log.warning("malformed feed items passed over", extra={"provider": provider, "items": bad[:10]})
    result = await ingest(session, provider, items, "pull", now)
    if next_cursor:
        cursor.cursor = next_cursor
    cursor.failures, cursor.next_poll_at, cursor.last_error = 0, None, None
    cursor.last_polled_at = cursor.last_success_at = now
    cursor.items_pulled += len(raw_items)
    await session.flush()
    return result


async def record_pull_failure(
    session: AsyncSession, cursor: FeedCursor, error: str, now: datetime, interval: float, ceiling: float
) -> None:
    cursor.failures += 1
    cursor.last_polled_at = now
    cursor.last_error = error[:256]
    cursor.next_poll_at = now + backoff(cursor.failures, interval, ceiling)
    await session.flush()


# --- ops: the items, the providers, replay ---------------------------------------------------------------


async def page(
    session: AsyncSession,
    provider: str | None,
    status: str | None,
    subject: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[FeedItem]:
    return await repository.page(session, provider, status, subject, cursor, limit)


async def get(session: AsyncSession, item_id: uuid.UUID) -> FeedItem:
    item = await repository.get(session, item_id)
    if item is None:
        raise FeedItemNotFound(f"feed item {item_id} is not known")
    return item


async def providers(session: AsyncSession) -> tuple[dict[str, FeedCursor], dict[tuple[str, str], int]]:
    return await repository.cursors(session), await repository.counts(session)


@dataclass
class Replayed:
    items: list[FeedItem]
    matched: int = 0
    skipped: int = 0


async def replay(session: AsyncSession, request: ReplayRequest, who: str, now: datetime) -> Replayed:
    """Replay the items named, or those of a provider received in a window (oldest first)."""
    if request.item_ids:
        items = await repository.lock_items(session, request.item_ids)
        missing = set(request.item_ids) - {i.id for i in items}
        if missing:
            raise FeedItemNotFound(
                f"feed items {sorted(map(str, missing))[:5]} are not known", field="item_ids"
            )
    elif request.provider is not None and request.received_from is not None:
        items = await repository.lock_window(
            session,
            request.provider,
            request.status,
            request.received_from,
            request.received_to,
            request.limit,
        )
    else:  # the schema lets neither through
        raise ValueError("a replay names items or a window")
    return await _replay(session, items, who, now)


async def _replay(session: AsyncSession, items: Sequence[FeedItem], who: str, now: datetime) -> Replayed:
    """Decide each recorded item again as of now; a matched one writes its fact again, as a new event
    with the same violation or alert id: members told before are not told twice (one fact per member),
    members who became known since are told now."""
    done = Replayed(items=list(items))
    for item in items:
        parsed = ITEM_MODEL[item.provider].model_validate(item.payload)
        decision = await decide(session, parsed, now)
        item.status, item.reason, item.matched = decision.status, decision.reason, decision.matched
        item.decided_at, item.replays, item.replayed_by = now, item.replays + 1, who
        if decision.envelope is not None:
            item.event_id = decision.envelope.id
            await add_event(session, decision.envelope)
            done.matched += 1
        else:
            done.skipped += 1
    await session.flush()
    log.info("feed items replayed", extra={"by": who, "items": len(items), "matched": done.matched})
    return done
