"""Client of the SMS provider (SendSms / QuerySendDetails shape). The provider is not idempotent:
our out-id is the message id, and after a timeout we look the out-id up before sending again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import httpx

RETRYABLE_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isp.SYSTEM_ERROR"})


@dataclass(frozen=True)
class SmsResult:
    status: Literal["ok", "error", "timeout"]
    code: str
    biz_id: str | None = None


class SmsClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
    ) -> None:
        self._http, self._base_url = http, base_url.rstrip("/")
        self._key_id, self._key_secret, self._sign_name = access_key_id, access_key_secret, sign_name

    async def send(self, phone: str, template_code: str, params: dict[str, Any], out_id: str) -> SmsResult:
        body = {
            "AccessKeyId": self._key_id,
            "PhoneNumbers": phone,
            "SignName": self._sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "OutId": out_id,
        }
        try:
            response = await self._http.post(f"{self._base_url}/sms/send", json=body)
            answer = response.json()
        except httpx.TimeoutException:
            return SmsResult("timeout", "timeout")
        except (httpx.HTTPError, ValueError) as error:
            # A connection refused never reached the provider; anything else may have: treat as a timeout.
            if isinstance(error, httpx.ConnectError):
                return SmsResult("error", "connect_error")
            return SmsResult("timeout", type(error).__name__)
        code = str(answer.get("Code"))
        return SmsResult("ok" if code == "OK" else "error", code, answer.get("BizId"))

    async def lookup(self, phone: str, out_id: str) -> str | None:
        """The provider's BizId when it already took ``out_id`` (QuerySendDetails), else None."""
        response = await self._http.get(
            f"{self._base_url}/sms/query", params={"PhoneNumber": phone, "OutId": out_id}
        )
        details = response.json().get("SmsSendDetailDTOs", {}).get("SmsSendDetailDTO", [])
        return str(details[0].get("BizId") or "found") if details else None
