"""The CloudEvents 1.0 envelope and its Kafka binary-mode encoding.

In binary mode the record value is the event data (JSON), ``content-type`` carries ``datacontenttype``,
every other attribute travels as a ``ce_<name>`` header, the W3C trace context as ``traceparent`` /
``tracestate``, and the Kafka key is the ``partitionkey`` extension (the member id).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar, cast
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from cheyou_events.event import Catalogue, Event, UnknownEventType, catalogue

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

E = TypeVar("E", bound=Event)

Headers = list[tuple[str, bytes]]


class Envelope(BaseModel, Generic[E]):
    """One event with its CloudEvents attributes. Handlers receive ``Envelope[TheirPayload]``."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    source: str
    type: str
    specversion: Literal["1.0"] = "1.0"
    time: AwareDatetime
    subject: str | None = None
    partitionkey: str
    datacontenttype: Literal["application/json"] = "application/json"
    traceparent: str | None = None
    tracestate: str | None = None
    data: E

    @staticmethod
    def new(
        data: E,
        *,
        source: str,
        subject: str | None = None,
        id: UUID | None = None,
        time: datetime | None = None,
    ) -> Envelope[E]:
        """Wrap a payload: a fresh id, now as ``time``, type and partition key taken from the payload."""
        model = cast(type[Envelope[E]], Envelope[type(data)])  # type: ignore[misc]
        return model(
            id=id or uuid.uuid4(),
            source=source,
            type=data.event_type,
            time=time or datetime.now(UTC),
            subject=subject,
            partitionkey=data.partition_key(),
            data=data,
        )

    @property
    def topic(self) -> str:
        return self.data.topic


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: Headers


class MalformedEvent(ValueError):
    """A record that can never be processed (a poison pill): it goes straight to the DLQ."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def binary_headers(
    *,
    id: UUID | str,
    source: str,
    type: str,
    time: datetime,
    partitionkey: str,
    subject: str | None = None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> Headers:
    headers: Headers = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", str(id).encode()),
        ("ce_source", source.encode()),
        ("ce_type", type.encode()),
        ("ce_time", time.isoformat().encode()),
        ("ce_partitionkey", partitionkey.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    if traceparent is not None:
        headers.append(("traceparent", traceparent.encode()))
    if tracestate:
        headers.append(("tracestate", tracestate.encode()))
    return headers


def to_record(envelope: Envelope[Any]) -> KafkaRecord:
    return KafkaRecord(
        topic=envelope.topic,
        key=envelope.partitionkey.encode(),
        value=envelope.data.model_dump_json().encode(),
        headers=binary_headers(
            id=envelope.id,
            source=envelope.source,
            type=envelope.type,
            time=envelope.time,
            partitionkey=envelope.partitionkey,
            subject=envelope.subject,
            traceparent=envelope.traceparent,
            tracestate=envelope.tracestate,
        ),
    )


def header_map(headers: Sequence[tuple[str, bytes | None]]) -> dict[str, str]:
    """Headers as text; a repeated header keeps its last value. Undecodable bytes are a malformed event."""
    try:
        return {name: (value or b"").decode() for name, value in headers}
    except UnicodeDecodeError as exc:
        raise MalformedEvent("invalid_header", str(exc)) from None


def event_type_of(headers: Sequence[tuple[str, bytes | None]]) -> str:
    """The ``ce_type`` header, without decoding the body (to skip types a group does not handle)."""
    for name, value in headers:
        if name == "ce_type" and value:
            return value.decode(errors="replace")
    raise MalformedEvent("missing_header", "ce_type")


def from_record(
    headers: Sequence[tuple[str, bytes | None]], value: bytes | None, *, events: Catalogue = catalogue
) -> Envelope[Event]:
    """Decode and validate a binary-mode record against the catalogue model of its ``ce_type``."""
    attributes = header_map(headers)
    missing = [name for name in ("ce_id", "ce_source", "ce_type", "ce_time") if not attributes.get(f"{name}")]
    if missing:
        raise MalformedEvent("missing_header", ", ".join(missing))
    if attributes.get("ce_specversion", SPECVERSION) != SPECVERSION:
        raise MalformedEvent("unsupported_specversion", attributes["ce_specversion"])
    try:
        model = events.model(attributes["ce_type"])
    except UnknownEventType:
        raise MalformedEvent("unknown_type", attributes["ce_type"]) from None
    if value is None:
        raise MalformedEvent("invalid_json", "empty record value")
    try:
        data = model.model_validate_json(value)
    except ValidationError as exc:
        reason = (
            "invalid_json" if any(e["type"] == "json_invalid" for e in exc.errors()) else "invalid_payload"
        )
        raise MalformedEvent(reason, str(exc)) from None
    try:
        return Envelope[model](  # type: ignore[valid-type]
            id=attributes["ce_id"],
            source=attributes["ce_source"],
            type=attributes["ce_type"],
            time=attributes["ce_time"],
            subject=attributes.get("ce_subject"),
            partitionkey=attributes.get("ce_partitionkey") or data.partition_key(),
            traceparent=attributes.get("traceparent"),
            tracestate=attributes.get("tracestate"),
            data=data,
        )
    except ValidationError as exc:
        raise MalformedEvent("invalid_attributes", str(exc)) from None
