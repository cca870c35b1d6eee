"""Nothing secret leaves a service in its traces.

Client spans record the URL they called, and third parties put secrets in query strings we do not choose:
WeChat's ``/sns/oauth2/access_token?appid=…&secret=…&code=…``, ``?access_token=…`` on every WeChat call, an
SMS provider's signed query. Server spans record the target a caller asked for, and exception events the
message of an error, which for httpx's ``raise_for_status`` is the URL again.

:class:`ScrubbingSpanProcessor` sits in front of the exporting processor and hands it a copy of each
finished span in which

- every query string (in URL attributes, ``url.query``, the span name, status and event texts) keeps only
  the values of parameters on :data:`SAFE_QUERY_PARAMETERS` (an allow-list: a new parameter is redacted
  until someone decides it is harmless), and user-info in a URL is dropped;
- every configured secret value of the service (:meth:`ServiceSettings.secret_values`) is replaced
  wherever it appears, whatever carried it.

Our own URLs carry no secrets in the first place (receipt tokens go in headers); this is the net under that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Status

REDACTED = "REDACTED"

SAFE_QUERY_PARAMETERS: frozenset[str] = frozenset(
    {
        # our APIs' paging and filters
        "limit",
        "cursor",
        "page",
        "page_size",
        "month",
        "year",
        "date",
        "since",
        "until",
        "status",
        "state_filter",
        "kind",
        "type",
        "category",
        "channel",
        "tier",
        "sort",
        "order",
        "format",
        "lang",
        "remind_days",
        "event_type",
        "order_id",
        "merchant_id",
        "endpoint_id",
        "message_id",
        "claim_id",
        "privilege_id",
        "activity_id",
        # providers' harmless ones
        "grant_type",
        "Action",
        "Format",
        "Version",
        "RegionId",
        "SignatureMethod",
        "SignatureVersion",
    }
)
"""Query parameters whose values may appear in traces; every other value becomes ``REDACTED``."""

_URL_KEYS = ("url", "target")
_ABSOLUTE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_MIN_SECRET_LENGTH = 6  # shorter "secrets" (a port, "true") would blank out ordinary text


def scrub_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(
        f"{quote(k, safe='')}={quote(v, safe='') if k in SAFE_QUERY_PARAMETERS else REDACTED}"
        for k, v in pairs
    )


def scrub_url(url: str) -> str:
    """``url`` (absolute, or a path with a query) with unsafe query values redacted and no user-info."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = scrub_query(parts.query) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class Scrubber:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Also replace these values (every service of a process adds its own)."""
        found = {*self._secrets, *(s for s in secrets if len(s) >= _MIN_SECRET_LENGTH)}
        self._secrets = sorted(found, key=len, reverse=True)  # a secret containing another goes whole

    def text(self, value: str) -> str:
        value = _ABSOLUTE_URL.sub(lambda m: scrub_url(m.group()), value)
        for secret in self._secrets:
            value = value.replace(secret, REDACTED)
        return value

    def attribute(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            if key == "url.query":
                value = scrub_query(value)
            elif any(part in key for part in _URL_KEYS) and ("?" in value or "@" in value):
                value = scrub_url(value)
            return self.text(value)
        if isinstance(value, Sequence) and not isinstance(value, bytes):
            return tuple(self.attribute(key, v) for v in value)
        return value

    def attributes(self, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
        return {k: self.attribute(k, v) for k, v in (attributes or {}).items()}

    def span(self, span: ReadableSpan) -> ReadableSpan:
        status = span.status
        if status.description:
            status = Status(status.status_code, self.text(status.description))
        return ReadableSpan(
            name=self.text(span.name),
            context=span.context,
            parent=span.parent,
            resource=span.resource,
            attributes=self.attributes(span.attributes),
            events=[Event(e.name, self.attributes(e.attributes), e.timestamp) for e in span.events],
            links=span.links,
            kind=span.kind,
            status=status,
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_scope=span.instrumentation_scope,
        )


class ScrubbingSpanProcessor(SpanProcessor):
    """Passes each finished span, scrubbed, to ``inner`` (the processor that exports)."""

    def __init__(self, inner: SpanProcessor, secrets: Iterable[str] = ()) -> None:
        self._inner = inner
        self.scrubber = Scrubber(secrets)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._inner.on_end(self.scrubber.span(span))

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)
