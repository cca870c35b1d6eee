"""A fake WeChat Official Account API: global access_token, web-authorization code exchange, templates.

Speaks the public contract (errors are HTTP 200 with ``{"errcode", "errmsg"}``). Test controls live under
``/_fake``: register OAuth codes, expire tokens, mark users unsubscribed or refusing, inject failures, and
list the accepted messages.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DEFAULT_APPID = "wx-cheyou-dev"
DEFAULT_SECRET = "cheyou-dev-wechat-secret"
TOKEN_TTL = 7200
FIELD_LIMIT = 20
FORBIDDEN_KEYS = {"first", "remark"}

ERRMSG = {
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    47003: "argument invalid! data.value exceed limit or invalid",
}


@dataclass
class _User:
    subscribed: bool = True
    refused: bool = False


@dataclass
class _OAuthCode:
    openid: str
    scope: str
    used: bool = False


@dataclass
class WeChatState:
    appid: str
    secret: str
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    token_requests: int = 0
    oauth_codes: dict[str, _OAuthCode] = field(default_factory=dict)
    users: dict[str, _User] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    next_msgid: int = 1_000_000_000


def _error(code: int) -> JSONResponse:
    return JSONResponse({"errcode": code, "errmsg": ERRMSG.get(code, "error")})


def _state(request: Request) -> WeChatState:
    state: WeChatState = request.app.state.wechat
    return state


def _check_app(state: WeChatState, appid: str | None, secret: str | None) -> JSONResponse | None:
    if appid != state.appid:
        return _error(40013)
    if secret != state.secret:
        return _error(40125)
    return None


async def token(request: Request) -> JSONResponse:
    """``GET /cgi-bin/token``: the global access_token (each call issues a new one)."""
    state = _state(request)
    query = request.query_params
    if query.get("grant_type") != "client_credential":
        return JSONResponse({"errcode": 40002, "errmsg": "invalid grant_type"})
    if (problem := _check_app(state, query.get("appid"), query.get("secret"))) is not None:
        return problem
    state.token_requests += 1
    access_token = secrets.token_urlsafe(24)
    state.tokens[access_token] = time.monotonic() + TOKEN_TTL
    return JSONResponse({"access_token": access_token, "expires_in": TOKEN_TTL})


async def oauth_access_token(request: Request) -> JSONResponse:
    """``GET /sns/oauth2/access_token``: exchange a one-time web-authorization code for the openid."""
    state = _state(request)
    query = request.query_params
    if query.get("grant_type") != "authorization_code":
        return JSONResponse({"errcode": 40002, "errmsg": "invalid grant_type"})
    if (problem := _check_app(state, query.get("appid"), query.get("secret"))) is not None:
        return problem
    code = state.oauth_codes.get(query.get("code") or "")
    if code is None:
        return _error(40029)
    if code.used:
        return _error(40163)
    code.used = True
    return JSONResponse(
        {
            "access_token": secrets.token_urlsafe(24),
            "expires_in": TOKEN_TTL,
            "refresh_token": secrets.token_urlsafe(24),
            "openid": code.openid,
            "scope": code.scope,
        }
    )


def _valid_value(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > FIELD_LIMIT:
        return False
    return "\n" not in value and "\r" not in value and not any(ord(char) >= 0x1F000 for char in value)


def _invalid_data(data: Any) -> bool:
    if not isinstance(data, dict) or not data:
        return True
    for key, item in data.items():
        if key in FORBIDDEN_KEYS or not isinstance(item, dict) or set(item) - {"value"}:
            return True
        if not _valid_value(item.get("value")):
            return True
    return False


async def send_template(request: Request) -> JSONResponse:
    """``POST /cgi-bin/message/template/send``: a template message under the 2023 rules."""
    state = _state(request)
    access_token = request.query_params.get("access_token")
    if not access_token:
        return _error(41001)
    expiry = state.tokens.get(access_token)
    if expiry is None:
        return _error(40001)
    if expiry <= time.monotonic():
        return _error(42001)
    try:
        body = await request.json()
    except ValueError:
        return _error(47001)
    if not isinstance(body, dict):
        return _error(44002)
    if state.fail_next:
        code = state.fail_next.pop(0)
        state.rejected.append({"errcode": code, **body})
        return _error(code)
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser:
        return _error(40003)
    if not isinstance(body.get("template_id"), str) or not body["template_id"]:
        return _error(40037)
    if _invalid_data(body.get("data")):
        state.rejected.append({"errcode": 47003, **body})
        return _error(47003)
    user = state.users.get(touser, _User())
    if not user.subscribed or user.refused:
        code = 43004 if not user.subscribed else 43101
        state.rejected.append({"errcode": code, **body})
        return _error(code)
    state.next_msgid += 1
    state.messages.append({"msgid": state.next_msgid, **body})
    return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": state.next_msgid})


async def register_code(request: Request) -> JSONResponse:
    """``POST /_fake/oauth-codes {"code", "openid", "scope"?}``: a code the next exchange will accept once."""
    body = await request.json()
    _state(request).oauth_codes[body["code"]] = _OAuthCode(body["openid"], body.get("scope", "snsapi_base"))
    return JSONResponse({"ok": True})


async def expire_token(request: Request) -> JSONResponse:
    """``POST /_fake/expire-token``: every issued access_token is now expired (42001)."""
    state = _state(request)
    state.tokens = dict.fromkeys(state.tokens, 0.0)
    return JSONResponse({"ok": True})


async def set_user(request: Request) -> JSONResponse:
    """``POST /_fake/users/{openid} {"subscribed"?, "refused"?}``: a follower's state (43004 / 43101)."""
    body = await request.json()
    user = _state(request).users.setdefault(request.path_params["openid"], _User())
    user.subscribed = bool(body.get("subscribed", user.subscribed))
    user.refused = bool(body.get("refused", user.refused))
    return JSONResponse({"ok": True})


async def fail_next(request: Request) -> JSONResponse:
    """``POST /_fake/fail-next {"errcode", "count"?}``: the next sends answer this errcode (e.g. 45009)."""
    body = await request.json()
    _state(request).fail_next.extend([int(body["errcode"])] * int(body.get("count", 1)))
    return JSONResponse({"ok": True})


async def messages(request: Request) -> JSONResponse:
    """``GET /_fake/messages[?touser=]``: the accepted template messages, with their msgid."""
    touser = request.query_params.get("touser")
    items = [m for m in _state(request).messages if touser is None or m.get("touser") == touser]
    return JSONResponse({"items": items})


async def stats(request: Request) -> JSONResponse:
    """``GET /_fake/stats``: counters a test can assert on (token requests, accepted, rejected)."""
    state = _state(request)
    return JSONResponse(
        {
            "token_requests": state.token_requests,
            "accepted": len(state.messages),
            "rejected": [{"errcode": r["errcode"], "touser": r.get("touser")} for r in state.rejected],
        }
    )


async def reset(request: Request) -> JSONResponse:
    """``POST /_fake/reset``: forget everything (tokens, codes, users, messages)."""
    state = _state(request)
    request.app.state.wechat = WeChatState(appid=state.appid, secret=state.secret)
    return JSONResponse({"ok": True})


def create_app(appid: str | None = None, secret: str | None = None) -> Starlette:
    """The fake; credentials default to ``WECHAT_APPID`` / ``WECHAT_SECRET`` or the dev values."""
    app = Starlette(
        routes=[
            Route("/cgi-bin/token", token, methods=["GET"]),
            Route("/sns/oauth2/access_token", oauth_access_token, methods=["GET"]),
            Route("/cgi-bin/message/template/send", send_template, methods=["POST"]),
            Route("/_fake/oauth-codes", register_code, methods=["POST"]),
            Route("/_fake/expire-token", expire_token, methods=["POST"]),
            Route("/_fake/users/{openid}", set_user, methods=["POST"]),
            Route("/_fake/fail-next", fail_next, methods=["POST"]),
            Route("/_fake/messages", messages, methods=["GET"]),
            Route("/_fake/stats", stats, methods=["GET"]),
            Route("/_fake/reset", reset, methods=["POST"]),
        ]
    )
    app.state.wechat = WeChatState(
        appid=appid or os.environ.get("WECHAT_APPID") or DEFAULT_APPID,
        secret=secret or os.environ.get("WECHAT_SECRET") or DEFAULT_SECRET,
    )
    return app
