"""Typed subscriptions: registration, the wrong pairing refused by mypy, a base class refused at import,
and dispatch through a real consumer on the real broker (inbox, one transaction per event as before)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cheyou_devinfra import ensure_topics
from cheyou_events import (
    Envelope,
    Publisher,
    Subscriptions,
    event_inbox,
    event_outbox,
)
from cheyou_events.catalogue.claims import ClaimsEvent
from cheyou_events.catalogue.member import MemberRegistered, MemberVerified, TierChanged
from cheyou_events.testing import effect_counts, eventually, record_effect, tier_changed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import Broker, Database, NewConsumer, Send

REPO = Path(__file__).parents[3]


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    group: str


def verified(member_id: str) -> MemberVerified:
    return MemberVerified(
        member_id=member_id, reviewer_id="reviewer1", verified_at=datetime(2026, 11, 25, 9, tzinfo=UTC)
    )


class TestRegistration:
    def test_a_handler_is_registered_for_the_classes_it_names_and_the_topics_follow(self) -> None:
        subscriptions = Subscriptions[Context]()

        @subscriptions.on(TierChanged)
        async def on_tier_changed(ctx: Context, event: Envelope[TierChanged]) -> None: ...

        @subscriptions.on(MemberRegistered, MemberVerified)
        async def on_joining(
            ctx: Context, event: Envelope[MemberRegistered] | Envelope[MemberVerified]
        ) -> None: ...

        assert subscriptions.event_types() == sorted(
            [MemberRegistered.event_type, MemberVerified.event_type, TierChanged.event_type]
        )
        assert subscriptions.topics() == ["member.events"]
        assert TierChanged in subscriptions
        assert "cheyou.member.verified.v1" in subscriptions
        assert ClaimsEvent not in subscriptions
        assert subscriptions.handlers_of(MemberVerified.event_type) == [on_joining]

    def test_combined_registries_keep_each_domains_handlers_in_order(self) -> None:
        first, second = Subscriptions[Context](), Subscriptions[Context]()

        @first.on(MemberRegistered)
        async def audience(ctx: Context, event: Envelope[MemberRegistered]) -> None: ...

        @second.on(MemberRegistered)
        async def outreach(ctx: Context, event: Envelope[MemberRegistered]) -> None: ...

        combined = Subscriptions(first, second)

        assert combined.handlers_of(MemberRegistered.event_type) == [audience, outreach]
        assert not Subscriptions[Context]()

    def test_a_domains_base_class_is_refused(self) -> None:
        subscriptions = Subscriptions[Context]()

        with pytest.raises(ValueError, match="ClaimsEvent is not an event of the catalogue"):
            subscriptions.on(ClaimsEvent)

    def test_the_same_handler_twice_for_one_type_is_refused(self) -> None:
        subscriptions = Subscriptions[Context]()

        async def on_tier_changed(ctx: Context, event: Envelope[TierChanged]) -> None: ...

        subscriptions.on(TierChanged)(on_tier_changed)
        with pytest.raises(ValueError, match="already subscribed"):
            subscriptions.on(TierChanged)(on_tier_changed)

    def test_a_handler_paired_with_the_wrong_event_class_is_a_type_error(self, tmp_path: Path) -> None:
        from mypy import api

        module = tmp_path / "wrong_pairing.py"
        module.write_text(
            "from cheyou_events import ConsumerSettings, Envelope, Subscriptions\n"
            "from cheyou_events.catalogue.member import MemberRegistered, MemberVerified, TierChanged\n"
            "subscriptions = Subscriptions[int]()\n"
            "@subscriptions.on(TierChanged)\n"
            "async def right(ctx: int, event: Envelope[TierChanged]) -> None: ...\n"
            "@subscriptions.on(TierChanged)\n"
            "async def wrong_event(ctx: int, event: Envelope[MemberVerified]) -> None: ...\n"
            "@subscriptions.on(TierChanged)\n"
            "async def wrong_context(ctx: str, event: Envelope[TierChanged]) -> None: ...\n"
            "@subscriptions.on(MemberRegistered, MemberVerified)\n"
            "async def too_narrow(ctx: int, event: Envelope[MemberRegistered]) -> None: ...\n"
        )

        out, _, status = api.run(
            ["--strict", "--no-incremental", "--config-file", str(REPO / "pyproject.toml"), str(module)]
        )

        errors = [line for line in out.splitlines() if ": error:" in line]
        assert status == 1, out
        assert [int(line.split(":")[1]) for line in errors] == [6, 8, 10], out  # the decorator lines
        assert 'expected "Callable[[int, Envelope[TierChanged]], Awaitable[None]]"' in errors[0]


class TestDispatch:
    async def test_a_real_consumer_runs_every_subscribed_handler_once_per_event_with_its_context(
        self, db: Database, kafka: Broker, topic: str, group: str, send: Send, new_consumer: NewConsumer
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 2})
        record = record_effect(group)
        seen: list[tuple[str, str, int]] = []
        first, second = Subscriptions[Context](), Subscriptions[Context]()

        @first.on(TierChanged)
        async def apply(ctx: Context, event: Envelope[TierChanged]) -> None:
            await record(ctx.session, event)  # through the consumer's session: committed with the inbox row
            seen.append(("apply", ctx.group, event.data.contribution_fen))

        @second.on(TierChanged)
        async def announce(ctx: Context, event: Envelope[TierChanged]) -> None:
            await Publisher("test-svc")(ctx.session, verified(event.data.member_id))
            seen.append(("announce", ctx.group, event.data.contribution_fen))

        subscriptions = Subscriptions(first, second)
        events = [tier_changed("M-1", i) for i in range(3)]
        for event in [*events, events[0]]:  # the first one delivered twice
            await send(event)
        consumer = new_consumer(subscriptions.bind(lambda session: Context(session, group)))
        await consumer.start()
        try:
            await eventually(lambda: db.applied(3), what="three events")
        finally:
            await consumer.stop()

        assert await effect_counts(db.sessions) == {e.id: 1 for e in events}
        assert seen == [(step, group, i) for i in range(3) for step in ("apply", "announce")]
        async with db.sessions() as session:
            inbox = await session.scalar(select(func.count()).select_from(event_inbox))
            published = (await session.execute(select(event_outbox.c.type, event_outbox.c.source))).all()
        assert inbox == 3
        assert published == [(MemberVerified.event_type, "test-svc")] * 3


class TestPublisher:
    async def test_publish_writes_the_envelope_under_the_services_name_in_the_callers_transaction(
        self, db: Database
    ) -> None:
        publish = Publisher("member-svc")
        event = verified("M-9")

        async with db.sessions() as session:
            await publish(session, event, event)
            await session.rollback()  # the caller's transaction decides: nothing is left
            async with session.begin():
                await publish(session, event, subject="M-9")
                await publish.within("feeds")(session, event)
            rows = (
                await session.execute(
                    select(
                        event_outbox.c.source,
                        event_outbox.c.subject,
                        event_outbox.c.type,
                        event_outbox.c.topic,
                        event_outbox.c.key,
                        event_outbox.c.payload,
                    ).order_by(event_outbox.c.sequence)
                )
            ).all()

        payload: dict[str, Any] = event.model_dump(mode="json")
        assert [tuple(row) for row in rows] == [
            ("member-svc", "M-9", MemberVerified.event_type, "member.events", "M-9", payload),
            ("member-svc/feeds", None, MemberVerified.event_type, "member.events", "M-9", payload),
        ]

    def test_the_envelope_is_the_one_envelope_new_builds(self) -> None:
        event = verified("M-9")

        built = Publisher("member-svc").envelope(event, subject="s")

        assert (built.source, built.subject, built.type, built.partitionkey, built.data) == (
            "member-svc",
            "s",
            MemberVerified.event_type,
            "M-9",
            event,
        )
        assert type(built) is type(Envelope.new(event, source="member-svc"))
