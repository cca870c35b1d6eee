"""How anyone signs in to the local platform: the demo staff's passwords (the gateway seeds those
accounts, README "Log in to the demo by API"), the fake WeChat authorize page, the fake SMS provider's
one-time codes."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

STAFF_PASSWORD = "cheyou-demo-2026"
ADMIN_PASSWORD = "cheyou-admin-2026"


async def choose_on_wechat_page(http: httpx.AsyncClient, authorize_url: str, openid: str) -> tuple[str, str]:
    """What a browser does on the fake WeChat authorize page the gateway sent it to: choose ``openid``.
    The ``code`` and ``state`` WeChat puts on the redirect back to our page."""
    url = httpx.URL(authorize_url)
    chosen = await http.post(
        str(url.copy_with(query=None, fragment=None)), data={**dict(url.params), "openid": openid}
    )
    if chosen.status_code != 302:
        raise httpx.HTTPStatusError(
            f"the WeChat authorize page answered {chosen.status_code}",
            request=chosen.request,
            response=chosen,
        )
    back = httpx.URL(chosen.headers["location"])
    return back.params["code"], back.params["state"]


def otp_code(message: dict[str, Any]) -> str:
    """The one-time code in a message the fake SMS provider received."""
    params = message.get("template_param")
    if isinstance(params, str):
        params = json.loads(params)
    if isinstance(params, dict) and "code" in params:
        return str(params["code"])
    found = re.search(r"\b(\d{6})\b", json.dumps(message))
    assert found, message
    return found.group(1)
