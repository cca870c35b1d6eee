"""Secrets in traces (security issue 17, Medium 6): the gateway's real calls to the (fake) WeChat and SMS
providers, traced through the kit's export path into an in-memory exporter, leave none of the configured
secrets, OAuth codes or access tokens in any recorded span."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cheyou_kit.trace_scrubbing import REDACTED, ScrubbingSpanProcessor
from gateway.auth import sms
from gateway.auth.errors import WeChatCodeRejected
from gateway.auth.wechat import openid_for_code
from gateway.config import Settings
from gateway.wechat_jssdk import service as jssdk
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from redis.asyncio import Redis

OAUTH_CODE = "oauth-code-only-the-browser-should-know"


async def test_provider_calls_leave_no_secret_in_any_span(base_settings: dict[str, Any]) -> None:
    settings = Settings.model_validate(base_settings)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(
        ScrubbingSpanProcessor(SimpleSpanProcessor(exporter), settings.secret_values())
    )
    redis: Redis = Redis.from_url(settings.redis_url)
    await redis.delete(jssdk.TICKET_KEY, jssdk.TOKEN_KEY)  # so the ticket is fetched with a token now

    async with httpx.AsyncClient() as http:
        HTTPXClientInstrumentor.instrument_client(http, tracer_provider=provider)
        with pytest.raises(WeChatCodeRejected):  # appid, secret and code in the query, as WeChat wants
            await openid_for_code(
                http,
                settings.wechat_api_base_url,
                settings.wechat_appid,
                settings.wechat_secret.get_secret_value(),
                OAUTH_CODE,
            )
        await jssdk.jsapi_ticket(redis, http, settings)  # ?access_token=… on getticket
        await sms.send_code(
            http,
            settings.sms_api_base_url,
            access_key_id=settings.sms_access_key_id,
            sign_name=settings.sms_sign_name,
            template_code=settings.sms_otp_template_code,
            phone="13900001234",
            code="246810",
        )
    token = await redis.get(jssdk.TOKEN_KEY)
    assert isinstance(token, bytes)
    access_token = token.decode()
    await redis.aclose()

    spans = exporter.get_finished_spans()
    recorded = "\n".join(span.to_json() for span in spans)
    urls = [
        str((span.attributes or {}).get("url.full") or (span.attributes or {}).get("http.url"))
        for span in spans
    ]
    assert len(spans) == 4  # the code exchange, stable_token, getticket, SendSms
    assert any("/sns/oauth2/access_token?" in url for url in urls)
    assert any(f"/cgi-bin/ticket/getticket?access_token={REDACTED}&type=jsapi" in url for url in urls)
    for secret in [*settings.secret_values(), OAUTH_CODE, access_token]:
        assert secret not in recorded
