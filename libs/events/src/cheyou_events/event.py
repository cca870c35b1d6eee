"""The base class of every event payload and the catalogue that maps type → model → topic.

Adding an event is one class: subclass the domain's base (``MemberEvent``, ``ClaimsEvent``, ...) and set
``event_type``. Defining the class registers it; its JSON Schema is then exported by
``python -m cheyou_events export-schemas``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from cheyou_events.topics import TOPICS

_TYPE_PATTERN = re.compile(r"^cheyou(\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$")


class Event(BaseModel):
    """A fact that happened, named in the past tense. Payloads are immutable.

    Unknown fields are ignored on decode, so a producer may add an optional field before its consumers
    know about it (see ``cheyou_events.compatibility``).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    """Versioned CloudEvents ``type``, e.g. ``cheyou.member.tier_changed.v1``."""
    topic: ClassVar[str]
    """The topic the event is published on; set once on each domain's base class."""
    key_field: ClassVar[str] = "member_id"
    """The payload field whose value is the partition key (Kafka key, CloudEvents ``partitionkey``)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            catalogue.register(cls)

    def partition_key(self) -> str:
        """The value that keeps this member's (or policy holder's) events in order."""
        return str(getattr(self, self.key_field))


class UnknownEventType(LookupError):
    """The type is not in this catalogue (a newer producer, or a typo)."""


class Catalogue:
    """Every event type the platform knows: type → model, and through the model, type → topic."""

    def __init__(self) -> None:
        self._models: dict[str, type[Event]] = {}

    def register(self, model: type[Event]) -> None:
        event_type = model.event_type
        if not _TYPE_PATTERN.match(event_type):
            raise ValueError(
                f"{model.__name__}: event_type {event_type!r} must look like cheyou.<domain>.<name>.v<N>"
            )
        if event_type in self._models and self._models[event_type] is not model:
            raise ValueError(f"{event_type} is already registered by {self._models[event_type].__name__}")
        if getattr(model, "topic", None) not in TOPICS:
            raise ValueError(f"{model.__name__}: topic {getattr(model, 'topic', None)!r} is not in TOPICS")
        if model.key_field not in model.model_fields:
            raise ValueError(f"{model.__name__}: key_field {model.key_field!r} is not a field")
        self._models[event_type] = model

    def model(self, event_type: str) -> type[Event]:
        try:
            return self._models[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def topic(self, event_type: str) -> str:
        return self.model(event_type).topic

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._models

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(sorted(self._models.values(), key=lambda m: m.event_type))

    def __len__(self) -> int:
        return len(self._models)

    def types(self) -> list[str]:
        return sorted(self._models)


catalogue = Catalogue()
"""The one catalogue. ``import cheyou_events`` fills it with every event in ``cheyou_events.catalogue``."""
