"""A fake WeChat Official Account API: global access_token (``token`` and ``stable_token``), the web
authorization page and its code exchange, JS-SDK tickets, templates.

Speaks the public contract (errors are HTTP 200 with ``{"errcode", "errmsg"}``). The authorize page
(``open.weixin.qq.com/connect/oauth2/authorize`` in real life) is a page a browser follows: it asks which
test openid to be, then redirects to ``redirect_uri`` with ``code`` and ``state``. Test controls live
under ``/_fake``: register OAuth codes and openids, expire tokens, mark users unsubscribed or refusing,
inject failures, and list the accepted messages.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

DEFAULT_APPID = "wx-cheyou-dev"
DEFAULT_SECRET = "cheyou-dev-wechat-secret"
TOKEN_TTL = 7200
TICKET_TTL = 7200
OAUTH_CODE_TTL = 300  # WeChat: a web-authorization code is good once, for five minutes
RECENT_OPENIDS = 20
OAUTH_SCOPES = frozenset({"snsapi_base", "snsapi_userinfo"})
_OPENID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
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
# What the real authorize page shows when a parameter is wrong (it never redirects then).
AUTHORIZE_ERRORS = {
    10003: "redirect_uri域名与后台配置不一致",
    10005: "此公众号并没有这些scope的权限",
    10010: "scope不能为空",
    10011: "redirect_uri不能为空",
    10012: "appid不能为空",
    10016: "appid参数错误",
    10017: "response_type参数错误",
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
    expires_at: float | None = None  # monotonic; codes a test registers do not expire


@dataclass
class WeChatState:
    appid: str
    secret: str
    oauth_domains: tuple[str, ...] = ()
    """The account's authorized web-authorization domains (hosts); loopback hosts too when allowed."""
    allow_loopback: bool = True
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    token_requests: int = 0
    stable_token: tuple[str, float] | None = None  # the current stable access_token and its expiry
    stable_token_requests: int = 0
    tickets: dict[str, float] = field(default_factory=dict)  # jsapi ticket -> expiry (monotonic)
    ticket_requests: int = 0
    oauth_codes: dict[str, _OAuthCode] = field(default_factory=dict)
    openids: dict[str, str] = field(default_factory=dict)  # registered by tests: openid -> label
    seen_openids: dict[str, None] = field(default_factory=dict)  # most recent last
    users: dict[str, _User] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    next_msgid: int = 1_000_000_000
    slow_seconds: float = 0.0
    slow_count: int = 0


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


async def stable_token(request: Request) -> JSONResponse:
    """``POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh?}``: the stable access_token.

    Unlike ``/cgi-bin/token`` every caller gets the same token while it is valid (``expires_in`` is what is
    left of it), so several consumers of one account do not invalidate each other; ``force_refresh``
    issues a new one and the previous one stops working.
    """
    state = _state(request)
    try:
        body = await request.json()
    except ValueError:
        return _error(47001)
    if not isinstance(body, dict):
        return _error(44002)
    if body.get("grant_type") != "client_credential":
        return JSONResponse({"errcode": 40002, "errmsg": "invalid grant_type"})
    if (problem := _check_app(state, body.get("appid"), body.get("secret"))) is not None:
        return problem
    state.stable_token_requests += 1
    now = time.monotonic()
    current = state.stable_token
    if current is not None and state.tokens.get(current[0], 0.0) > now and not body.get("force_refresh"):
        return JSONResponse({"access_token": current[0], "expires_in": int(state.tokens[current[0]] - now)})
    if current is not None:
        state.tokens.pop(current[0], None)
    access_token = secrets.token_urlsafe(24)
    state.tokens[access_token] = now + TOKEN_TTL
    state.stable_token = (access_token, now + TOKEN_TTL)
    return JSONResponse({"access_token": access_token, "expires_in": TOKEN_TTL})


def _check_token(state: WeChatState, access_token: str | None) -> JSONResponse | None:
    if not access_token:
        return _error(41001)
    expiry = state.tokens.get(access_token)
    if expiry is None:
        return _error(40001)
    if expiry <= time.monotonic():
        return _error(42001)
    return None


async def jsapi_ticket(request: Request) -> JSONResponse:
    """``GET /cgi-bin/ticket/getticket?access_token=&type=jsapi``: a JS-SDK ticket, good for 7200 s."""
    state = _state(request)
    if (problem := _check_token(state, request.query_params.get("access_token"))) is not None:
        return problem
    if request.query_params.get("type") not in ("jsapi", "wx_card"):
        return JSONResponse({"errcode": 40097, "errmsg": "invalid args"})
    state.ticket_requests += 1
    ticket = secrets.token_urlsafe(64)
    state.tickets[ticket] = time.monotonic() + TICKET_TTL
    return JSONResponse({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TICKET_TTL})


async def oauth_access_token(request: Request) -> JSONResponse:
    """``GET /sns/oauth2/access_token``: exchange a one-time web-authorization code for the openid."""
    state = _state(request)
    query = request.query_params
    if query.get("grant_type") != "authorization_code":
        return JSONResponse({"errcode": 40002, "errmsg": "invalid grant_type"})
    if (problem := _check_app(state, query.get("appid"), query.get("secret"))) is not None:
        return problem
    code = state.oauth_codes.get(query.get("code") or "")
    if code is None or (code.expires_at is not None and code.expires_at <= time.monotonic()):
        return _error(40029)
    if code.used:
        return _error(40163)
    code.used = True
    _saw(state, code.openid)
    return JSONResponse(
        {
            "access_token": secrets.token_urlsafe(24),
            "expires_in": TOKEN_TTL,
            "refresh_token": secrets.token_urlsafe(24),
            "openid": code.openid,
            "scope": code.scope,
        }
    )


def _saw(state: WeChatState, openid: str) -> None:
    """Remember an openid the fake met (the authorize page offers the recent ones)."""
    state.seen_openids.pop(openid, None)
    state.seen_openids[openid] = None
    while len(state.seen_openids) > RECENT_OPENIDS:
        del state.seen_openids[next(iter(state.seen_openids))]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authorize_problem(state: WeChatState, params: Mapping[str, str]) -> int | None:
    """The error code the real page shows for these parameters, if any (checked in WeChat's order)."""
    if not params.get("appid"):
        return 10012
    if params["appid"] != state.appid:
        return 10016
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        return 10011
    if params.get("response_type") != "code":
        return 10017
    scope = params.get("scope")
    if not scope:
        return 10010
    if scope not in OAUTH_SCOPES:
        return 10005
    parts = urlsplit(redirect_uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return 10003
    if host not in state.oauth_domains and not (state.allow_loopback and _is_loopback(host)):
        return 10003
    return None


def _authorize_params(source: Mapping[str, str]) -> dict[str, str]:
    names = ("appid", "redirect_uri", "response_type", "scope", "state")
    return {name: source[name] for name in names if isinstance(source.get(name), str)}


def _with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` added to its query (before any fragment), as WeChat redirects."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    document = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
 margin:0;background:#ededed;color:#111}}
main{{max-width:430px;margin:0 auto;padding:24px 16px}}
h1{{font-size:18px;text-align:center}} p.note{{color:#666;font-size:13px}}
label{{display:block;margin:12px 0 4px}}
input[type=text]{{width:100%;box-sizing:border-box;padding:10px;font-size:16px}}
button{{width:100%;padding:12px;margin-top:12px;font-size:16px;border:0;border-radius:6px;
 background:#07c160;color:#fff}}
ul{{list-style:none;padding:0}} li button{{background:#fff;color:#111;text-align:left;border:1px solid #ddd}}
small{{color:#888}}
</style></head><body><main>{body}</main></body></html>"""
    return HTMLResponse(document, status_code=status_code)


def _error_page(code: int) -> HTMLResponse:
    message = html.escape(AUTHORIZE_ERRORS.get(code, "参数错误"))
    body = f"<h1>Oops! Something went wrong:(</h1><p>{message}</p><p>错误码：<code>{code}</code></p>"
    return _page("微信网页授权", body, status_code=400)


def _hidden(params: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in params.items()
    )


def _choices(state: WeChatState) -> Iterable[tuple[str, str]]:
    """Registered openids first (with their labels), then the ones seen lately, newest first."""
    yield from state.openids.items()
    for openid in reversed(state.seen_openids):
        if openid not in state.openids:
            yield openid, "最近使用"


async def authorize(request: Request) -> Response:
    """``GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state``: the page."""
    state = _state(request)
    params = _authorize_params(request.query_params)
    if (problem := _authorize_problem(state, params)) is not None:
        return _error_page(problem)
    hidden = _hidden(params)
    asks = (
        "获得你的公开信息（昵称、头像等）"
        if params["scope"] == "snsapi_userinfo"
        else "获取你的身份标识（openid）"
    )
    items = "".join(
        f'<li><form method="post">{hidden}<button type="submit" name="openid" value="{html.escape(openid)}">'
        f"{html.escape(label)}<br><small>{html.escape(openid)}</small></button></form></li>"
        for openid, label in _choices(state)
    )
    known = f"<h2>选择测试身份</h2><ul>{items}</ul>" if items else ""
    body = f"""<h1>微信网页授权（本地模拟）</h1>
<p class="note">公众号 <code>{html.escape(state.appid)}</code> 申请{asks}。
这是本地的模拟微信授权页：选择一个测试 openid 或输入新的，它会像真实的微信一样带着 code 和 state 跳转回
<code>{html.escape(params["redirect_uri"])}</code>。</p>
{known}
<form method="post">{hidden}
<label for="openid">测试 openid</label>
<input id="openid" type="text" name="openid" required maxlength="128" pattern="[A-Za-z0-9_\\-]+"
 autocomplete="off" placeholder="o-...">
<button type="submit">允许并继续</button>
</form>"""
    return _page("微信网页授权", body)


async def authorize_confirm(request: Request) -> Response:
    """``POST /connect/oauth2/authorize`` (the page's form): a one-time code, then the redirect back."""
    state = _state(request)
    form = await request.form()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    params = _authorize_params(fields)
    if (problem := _authorize_problem(state, params)) is not None:
        return _error_page(problem)
    openid = fields.get("openid", "").strip()
    if not _OPENID.match(openid):
        return _page("微信网页授权", "<h1>openid 不合法</h1><p>只能包含字母、数字、_ 和 -。</p>", 400)
    code = secrets.token_hex(16)
    state.oauth_codes[code] = _OAuthCode(
        openid, params["scope"], expires_at=time.monotonic() + OAUTH_CODE_TTL
    )
    _saw(state, openid)
    target = _with_query(params["redirect_uri"], {"code": code, "state": params.get("state", "")})
    return RedirectResponse(target, status_code=302)


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
    if (problem := _check_token(state, request.query_params.get("access_token"))) is not None:
        return problem
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
    _saw(state, touser)
    state.next_msgid += 1
    msgid = state.next_msgid
    state.messages.append({"msgid": msgid, **body})
    if state.slow_count > 0:  # sent, but the answer comes after the client gave up: a timeout
        state.slow_count -= 1
        await asyncio.sleep(state.slow_seconds)
    return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": msgid})


async def register_code(request: Request) -> JSONResponse:
    """``POST /_fake/oauth-codes {"code", "openid", "scope"?}``: a code the next exchange will accept once."""
    body = await request.json()
    state = _state(request)
    state.oauth_codes[body["code"]] = _OAuthCode(body["openid"], body.get("scope", "snsapi_base"))
    _saw(state, body["openid"])
    return JSONResponse({"ok": True})


async def register_openid(request: Request) -> JSONResponse:
    """``POST /_fake/openids {"openid", "label"?}``: offer this openid on the authorize page, with a label."""
    body = await request.json()
    openid = body.get("openid") if isinstance(body, dict) else None
    if not isinstance(openid, str) or not _OPENID.match(openid):
        return JSONResponse({"errcode": 40003, "errmsg": "invalid openid"}, status_code=400)
    label = body.get("label")
    _state(request).openids[openid] = str(label)[:80] if label else openid
    return JSONResponse({"ok": True})


async def list_openids(request: Request) -> JSONResponse:
    """``GET /_fake/openids``: what the authorize page offers (registered, then recently seen)."""
    items = [{"openid": openid, "label": label} for openid, label in _choices(_state(request))]
    return JSONResponse({"items": items})


async def list_tickets(request: Request) -> JSONResponse:
    """``GET /_fake/jsapi-tickets``: the JS-SDK tickets issued, newest last (to check a signature)."""
    now = time.monotonic()
    items = [{"ticket": t, "expires_in": int(e - now)} for t, e in _state(request).tickets.items()]
    return JSONResponse({"items": items})


async def expire_token(request: Request) -> JSONResponse:
    """``POST /_fake/expire-token``: every issued access_token (and JS-SDK ticket) is now expired (42001)."""
    state = _state(request)
    state.tokens = dict.fromkeys(state.tokens, 0.0)
    state.tickets = dict.fromkeys(state.tickets, 0.0)
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


async def configure(request: Request) -> JSONResponse:
    """``POST /_fake/config {"slow_seconds", "slow_count"?}``: the next ``slow_count`` template messages are
    sent but answered only after ``slow_seconds`` (the client times out not knowing it was sent)."""
    body = await request.json()
    state = _state(request)
    state.slow_seconds = float(body["slow_seconds"])
    state.slow_count = int(body.get("slow_count", 1))
    return JSONResponse({"ok": True})


async def messages(request: Request) -> JSONResponse:
    """``GET /_fake/messages[?touser=]``: the accepted template messages, with their msgid."""
    touser = request.query_params.get("touser")
    items = [m for m in _state(request).messages if touser is None or m.get("touser") == touser]
    return JSONResponse({"items": items})


async def stats(request: Request) -> JSONResponse:
    """``GET /_fake/stats``: counters a test can assert on (token and ticket requests, accepted, rejected)."""
    state = _state(request)
    return JSONResponse(
        {
            "token_requests": state.token_requests,
            "stable_token_requests": state.stable_token_requests,
            "ticket_requests": state.ticket_requests,
            "accepted": len(state.messages),
            "rejected": [{"errcode": r["errcode"], "touser": r.get("touser")} for r in state.rejected],
        }
    )


async def reset(request: Request) -> JSONResponse:
    """``POST /_fake/reset``: forget everything (tokens, tickets, codes, openids, users, messages)."""
    state = _state(request)
    request.app.state.wechat = WeChatState(
        appid=state.appid,
        secret=state.secret,
        oauth_domains=state.oauth_domains,
        allow_loopback=state.allow_loopback,
    )
    return JSONResponse({"ok": True})


def create_app(
    appid: str | None = None,
    secret: str | None = None,
    *,
    oauth_domains: Iterable[str] | None = None,
    allow_loopback: bool | None = None,
) -> Starlette:
    """The fake; credentials default to ``WECHAT_APPID`` / ``WECHAT_SECRET`` or the dev values.

    ``oauth_domains`` are the account's authorized web-authorization domains (default
    ``WECHAT_OAUTH_DOMAINS``, comma-separated); loopback hosts are accepted too unless
    ``allow_loopback`` is false (default ``WECHAT_OAUTH_ALLOW_LOOPBACK``, true).
    """
    if oauth_domains is None:
        oauth_domains = (d for d in os.environ.get("WECHAT_OAUTH_DOMAINS", "").split(","))
    if allow_loopback is None:
        allow_loopback = os.environ.get("WECHAT_OAUTH_ALLOW_LOOPBACK", "true").lower() not in (
            "0",
            "false",
            "no",
        )
    app = Starlette(
        routes=[
            Route("/cgi-bin/token", token, methods=["GET"]),
            Route("/cgi-bin/stable_token", stable_token, methods=["POST"]),
            Route("/cgi-bin/ticket/getticket", jsapi_ticket, methods=["GET"]),
            Route("/connect/oauth2/authorize", authorize, methods=["GET"]),
            Route("/connect/oauth2/authorize", authorize_confirm, methods=["POST"]),
            Route("/sns/oauth2/access_token", oauth_access_token, methods=["GET"]),
            Route("/cgi-bin/message/template/send", send_template, methods=["POST"]),
            Route("/_fake/oauth-codes", register_code, methods=["POST"]),
            Route("/_fake/openids", register_openid, methods=["POST"]),
            Route("/_fake/openids", list_openids, methods=["GET"]),
            Route("/_fake/jsapi-tickets", list_tickets, methods=["GET"]),
            Route("/_fake/expire-token", expire_token, methods=["POST"]),
            Route("/_fake/users/{openid}", set_user, methods=["POST"]),
            Route("/_fake/fail-next", fail_next, methods=["POST"]),
            Route("/_fake/config", configure, methods=["POST"]),
            Route("/_fake/messages", messages, methods=["GET"]),
            Route("/_fake/stats", stats, methods=["GET"]),
            Route("/_fake/reset", reset, methods=["POST"]),
        ]
    )
    app.state.wechat = WeChatState(
        appid=appid or os.environ.get("WECHAT_APPID") or DEFAULT_APPID,
        secret=secret or os.environ.get("WECHAT_SECRET") or DEFAULT_SECRET,
        oauth_domains=tuple(d.strip().lower() for d in oauth_domains if d.strip()),
        allow_loopback=allow_loopback,
    )
    return app
