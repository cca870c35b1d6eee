"""WeChat web authorization: exchange the OAuth ``code`` for the user's openid."""

from __future__ import annotations

import logging

import httpx

from gateway.auth.errors import WeChatCodeRejected
from gateway.errors import BadGateway

log = logging.getLogger(__name__)

# 40029: invalid code; 40163: code already used; 41008: missing code.
_BAD_CODE = frozenset({40029, 40163, 41008})


async def openid_for_code(
    client: httpx.AsyncClient, base_url: str, appid: str, secret: str, code: str
) -> str:
    try:
        response = await client.get(
            f"{base_url.rstrip('/')}/sns/oauth2/access_token",
            params={"appid": appid, "secret": secret, "code": code, "grant_type": "authorization_code"},
        )
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("WeChat code exchange failed: %r", exc)
        raise BadGateway("WeChat could not be reached") from exc
    if not isinstance(answer, dict):
        raise BadGateway("WeChat answered something unexpected")
    errcode = answer.get("errcode")
    if errcode:
        if errcode in _BAD_CODE:
            raise WeChatCodeRejected(errcode=errcode)
        log.warning("WeChat code exchange: errcode %s %s", errcode, answer.get("errmsg"))
        raise BadGateway(f"WeChat answered errcode {errcode}")
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise BadGateway("WeChat answered without an openid")
    return openid
