"""Sending a text through the SMS provider (``SendSms``: template code + JSON params), the contract the
gateway's sign-in codes use: claims-svc sends the other party's liability code itself (see the README)."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request

from claims_svc.config import Settings
from claims_svc.errors import SmsNotSent

log = logging.getLogger(__name__)


class SmsSender:
    """A component: one HTTP client to the provider for the app's lifetime."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def send(self, phone: str, template_code: str, params: dict[str, Any]) -> str:
        """Send; returns the provider's BizId. Not retried: SendSms is not idempotent."""
        settings = self._settings
        if self._http is None:
            raise RuntimeError("the SMS sender is not started")
        try:
            response = await self._http.post(
                f"{settings.sms_api_base_url.rstrip('/')}/sms/send",
                json={
                    "AccessKeyId": settings.sms_access_key_id,
                    "PhoneNumbers": phone,
                    "SignName": settings.sms_sign_name,
                    "TemplateCode": template_code,
                    "TemplateParam": json.dumps(params, ensure_ascii=False),
                    "OutId": uuid.uuid4().hex,
                },
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("SMS provider failed: %r", exc)
            raise SmsNotSent("the SMS provider could not be reached; try again") from exc
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            code = answer.get("Code") if isinstance(answer, dict) else None
            log.warning("SMS provider refused the message: %s", code)
            raise SmsNotSent(f"the SMS provider refused the message ({code})", provider_code=code)
        return str(answer.get("BizId", ""))


async def get_sms(request: Request) -> SmsSender:
    sender: SmsSender = request.app.state.sms
    return sender


SmsDep = Annotated[SmsSender, Depends(get_sms)]
"""The SMS sender, in a route."""
