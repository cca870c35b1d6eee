"""Texts through the SMS provider (``SendSms``: template code + JSON params): codes and account notices."""

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
    return await send(
        client,
        base_url,
        access_key_id=access_key_id,
        sign_name=sign_name,
        template_code=template_code,
        phone=phone,
        params={"code": code},
    )


async def send(
    client: httpx.AsyncClient,
    base_url: str,
    *,
    access_key_id: str,
    sign_name: str,
    template_code: str,
    phone: str,
    params: dict[str, str],
) -> str:
    """One templated message (a code, a notice); returns the provider's BizId. Not retried."""
    try:
        response = await client.post(
            f"{base_url.rstrip('/')}/sms/send",
            json={
                "AccessKeyId": access_key_id,
                "PhoneNumbers": phone,
                "SignName": sign_name,
                "TemplateCode": template_code,
                "TemplateParam": json.dumps(params),
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
