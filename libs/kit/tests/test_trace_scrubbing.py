"""Secrets never leave in a span (security issue 17, Medium 6): query strings by allow-list, user-info, and
the service's configured secret values, in attributes, names, statuses and exception events."""

from __future__ import annotations

import json

import httpx
import pytest
from cheyou_kit.trace_scrubbing import REDACTED, ScrubbingSpanProcessor, scrub_url
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

SECRETS = ["the-app-secret-0123456789", "receipt-token-abcdef"]


def recorded() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter), SECRETS))
    return provider, exporter


def dumped(span: ReadableSpan) -> str:
    text: str = span.to_json()  # opentelemetry-sdk leaves to_json's return untyped
    return text


class TestScrubUrl:
    def test_only_allowed_parameters_keep_their_values(self) -> None:
        url = "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx1&secret=s3&code=c0&grant_type=authorization_code"

        assert scrub_url(url) == (
            "https://api.weixin.qq.com/sns/oauth2/access_token"
            f"?appid={REDACTED}&secret={REDACTED}&code={REDACTED}&grant_type=authorization_code"
        )

    def test_user_info_is_dropped(self) -> None:
        assert scrub_url("https://user:pw@host.example/x?limit=5") == "https://host.example/x?limit=5"

    def test_a_path_with_a_query_is_scrubbed_too(self) -> None:
        assert scrub_url("/api/v1/sms-receipts?token=t0") == f"/api/v1/sms-receipts?token={REDACTED}"


class TestSpans:
    def test_a_client_span_keeps_no_secret_from_its_url(self) -> None:
        provider, exporter = recorded()
        url = "https://api.weixin.qq.com/cgi-bin/ticket/getticket?access_token=AT-42&type=jsapi"

        with provider.get_tracer("t").start_as_current_span(
            "GET", kind=SpanKind.CLIENT, attributes={"url.full": url, "http.url": url}
        ):
            pass

        [span] = exporter.get_finished_spans()
        assert span.attributes is not None
        assert span.attributes["url.full"] == (
            f"https://api.weixin.qq.com/cgi-bin/ticket/getticket?access_token={REDACTED}&type=jsapi"
        )
        assert "AT-42" not in dumped(span)

    def test_a_server_span_keeps_no_token_from_its_target_or_query(self) -> None:
        provider, exporter = recorded()

        with provider.get_tracer("t").start_as_current_span(
            "POST /api/v1/sms-receipts",
            kind=SpanKind.SERVER,
            attributes={
                "http.target": f"/api/v1/sms-receipts?token={SECRETS[1]}",
                "url.query": "token=abc&limit=3",
            },
        ):
            pass

        [span] = exporter.get_finished_spans()
        assert span.attributes is not None
        assert span.attributes["url.query"] == f"token={REDACTED}&limit=3"
        assert SECRETS[1] not in dumped(span)

    def test_an_exception_event_and_status_keep_no_secret(self) -> None:
        provider, exporter = recorded()
        request = httpx.Request("GET", f"https://api.example/x?secret={SECRETS[0]}&code=c-77")
        error = httpx.HTTPStatusError(
            f"Client error '400' for url '{request.url}'", request=request, response=httpx.Response(400)
        )

        with (
            pytest.raises(httpx.HTTPStatusError),
            provider.get_tracer("t").start_as_current_span("GET"),
        ):
            raise error

        [span] = exporter.get_finished_spans()
        text = dumped(span)
        assert SECRETS[0] not in text
        assert "c-77" not in text
        assert "exception" in [e.name for e in span.events]

    def test_a_configured_secret_is_removed_wherever_it_appears(self) -> None:
        provider, exporter = recorded()

        with provider.get_tracer("t").start_as_current_span(
            f"weird {SECRETS[0]}", attributes={"note": f"body had {SECRETS[0]}", "list": (SECRETS[1], "x")}
        ):
            pass

        [span] = exporter.get_finished_spans()
        assert not any(secret in json.dumps(json.loads(dumped(span))) for secret in SECRETS)
