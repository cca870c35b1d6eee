"""Sending the one-time code through the SMS provider (``SendSms``: template code + JSON params)."""

from __future__ import annotations

import json
import logging
import uuid

import httpx

from gateway.errors import BadGateway

log = logging.getLogger(__name__)


async def send_code(
    client: httpx.AsyncClient,
    base_url: str,
    *,
    access_key_id: str,
    sign_name: str,
    template_code: str,
    phone: str,
    code: str,
) -> str:
    """Send; returns the provider's BizId. Not retried: SendSms is not idempotent."""
    try:
        response = await client.post(
            f"{base_url.rstrip('/')}/sms/send",
            json={
                "AccessKeyId": access_key_id,
                "PhoneNumbers": phone,
                "SignName": sign_name,
                "TemplateCode": template_code,
                "TemplateParam": json.dumps({"code": code}),
                "OutId": uuid.uuid4().hex,
            },
        )
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("SMS provider failed: %r", exc)
        raise BadGateway("the SMS provider could not be reached") from exc
    if not isinstance(answer, dict) or answer.get("Code") != "OK":
        code_ = answer.get("Code") if isinstance(answer, dict) else None
        log.warning("SMS provider refused the message: %s", code_)
        raise BadGateway(f"the SMS provider refused the message ({code_})")
    return str(answer.get("BizId", ""))
