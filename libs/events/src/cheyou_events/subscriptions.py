"""Typed subscriptions: which handler takes which event, declared beside the handler.

A domain's ``handlers.py`` keeps a registry and decorates each handler with the event class it takes::

    subscriptions = Subscriptions[Context]()

    @subscriptions.on(TierChanged)
    async def on_tier_changed(ctx: Context, event: Envelope[TierChanged]) -> None: ...

``on`` pairs the class with the handler's parameter, so a handler taking ``Envelope[MemberVerified]``
registered for ``TierChanged`` is a mypy error; a class that is not a catalogued event (a domain's base)
is refused when the module is imported. The service combines its domains' registries into one
(``Subscriptions(a.subscriptions, b.subscriptions)``), from which the consumer's topics follow and which
:meth:`Subscriptions.bind` turns into the consumer's ``event type → handler`` map. ``C`` is what a
handler receives besides the event (the kit's ``EventContext``: the session, the service's settings and
resources); this library only passes it through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession

from cheyou_events.consumer import Handler
from cheyou_events.envelope import Envelope
from cheyou_events.event import Catalogue, Event, catalogue

C = TypeVar("C")
E = TypeVar("E", bound=Event)
E1 = TypeVar("E1", bound=Event)
E2 = TypeVar("E2", bound=Event)
E3 = TypeVar("E3", bound=Event)
T = TypeVar("T")

EventHandler = Callable[[C, T], Awaitable[None]]
"""``async def on_fact(ctx: C, event: Envelope[Fact]) -> None`` (``T`` is the envelope's type)."""


class Subscriptions(Generic[C]):
    """Event class → handlers, for one domain or (combined) one service.

    Several handlers may take one event (each domain of a service its own): they run in the order the
    registries were combined, in the one transaction that records the event in the inbox.
    """

    def __init__(self, *parts: Subscriptions[C], events: Catalogue = catalogue) -> None:
        self._events = events
        self._handlers: dict[str, list[EventHandler[C, Any]]] = {}
        for part in parts:
            for event_type, handlers in part._handlers.items():
                for handler in handlers:
                    self._add(event_type, handler)

    @overload
    def on(
        self, event: type[E1], /
    ) -> Callable[[EventHandler[C, Envelope[E1]]], EventHandler[C, Envelope[E1]]]: ...

    @overload
    def on(
        self, first: type[E1], second: type[E2], /
    ) -> Callable[
        [EventHandler[C, Envelope[E1] | Envelope[E2]]], EventHandler[C, Envelope[E1] | Envelope[E2]]
    ]: ...

    @overload
    def on(
        self, first: type[E1], second: type[E2], third: type[E3], /
    ) -> Callable[
        [EventHandler[C, Envelope[E1] | Envelope[E2] | Envelope[E3]]],
        EventHandler[C, Envelope[E1] | Envelope[E2] | Envelope[E3]],
    ]: ...

    @overload
    def on(
        self, *events: type[E]
    ) -> Callable[[EventHandler[C, Envelope[E]]], EventHandler[C, Envelope[E]]]: ...

    def on(self, *events: type[Event]) -> Callable[[EventHandler[C, Any]], EventHandler[C, Any]]:
        """Register the decorated handler for each of ``events`` (many: it takes their common base)."""
        if not events:
            raise TypeError("on() needs at least one event class")
        types = [self._event_type(event) for event in events]

        def register(handler: EventHandler[C, Any]) -> EventHandler[C, Any]:
            for event_type in types:
                self._add(event_type, handler)
            return handler

        return register

    def _event_type(self, event: type[Event]) -> str:
        event_type: str | None = event.__dict__.get("event_type")
        if (
            event_type is None
            or event_type not in self._events
            or self._events.model(event_type) is not event
        ):
            raise ValueError(f"{event.__name__} is not an event of the catalogue (a domain's base class?)")
        return event_type

    def _add(self, event_type: str, handler: EventHandler[C, Any]) -> None:
        handlers = self._handlers.setdefault(event_type, [])
        if handler in handlers:
            raise ValueError(
                f"{getattr(handler, '__qualname__', handler)} is already subscribed to {event_type}"
            )
        handlers.append(handler)

    def event_types(self) -> list[str]:
        """The types subscribed to, sorted."""
        return sorted(self._handlers)

    def topics(self) -> list[str]:
        """The topics those types are published on: what the service's consumer group reads."""
        return sorted({self._events.topic(event_type) for event_type in self._handlers})

    def handlers_of(self, event_type: str) -> list[EventHandler[C, Any]]:
        return list(self._handlers.get(event_type, ()))

    def __contains__(self, event: object) -> bool:
        """``TierChanged in subscriptions`` (a class) or ``"cheyou.member.tier_changed.v1" in …``."""
        event_type = event if isinstance(event, str) else getattr(event, "event_type", None)
        return event_type in self._handlers

    def __bool__(self) -> bool:
        return bool(self._handlers)

    async def dispatch(self, context: C, envelope: Envelope[Any]) -> None:
        """Run every handler of the envelope's type, in order (what the consumer does per event)."""
        for handler in self._handlers.get(envelope.type, ()):
            await handler(context, envelope)

    def bind(self, context: Callable[[AsyncSession], C]) -> dict[str, Handler]:
        """The consumer's ``event type → handler`` map: each call builds the context from the session
        the consumer opened (the one that records the inbox row) and dispatches to the handlers."""

        async def handle(session: AsyncSession, envelope: Envelope[Any]) -> None:
            await self.dispatch(context(session), envelope)

        return dict.fromkeys(self._handlers, handle)
