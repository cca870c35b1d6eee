"""A fake SMS provider in the common Chinese shape: ``SendSms`` + delivery receipts pushed to a callback.

``POST /sms/send`` takes ``PhoneNumbers, SignName, TemplateCode, TemplateParam`` (a JSON string) and
``OutId`` (JSON or form body; ``AccessKeyId`` is checked when given) and answers
``{Code: "OK", Message, BizId, RequestId}`` or an ``isv.*`` error code. It is *not* idempotent, like the
real ones: the same request twice sends two messages. ``GET /sms/query?PhoneNumber=&OutId=`` is the
QuerySendDetails lookup. Upstream replies (上行短信, what a person texts back, e.g. ``TD``) are pushed
to the configured reply URL as a JSON array ``[{phone_number, send_time, content, sign_name, dest_code,
sequence_id}]``, answered ``{"code": 0}`` (else retried). Test controls live under ``/_fake``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DEFAULT_ACCESS_KEY_ID = "cheyou-dev-sms-key"
PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
RECEIPT_RETRY_DELAYS = (0.2, 1.0, 2.0)  # the real schedule is 1, 5, 10 minutes


@dataclass
class _Phone:
    deliverable: bool = True
    err_code: str = "MOBILE_NOT_ON_SERVICE"


@dataclass
class SmsState:
    access_key_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    by_phone: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The same messages by number: a load of thousands of members reads its codes one phone at a time."""
    receipt_url: str | None = None
    receipt_headers: dict[str, str] = field(default_factory=dict)
    receipts: list[dict[str, Any]] = field(default_factory=list)  # pushes: {"items", "answer", "attempt"}
    phones: dict[str, _Phone] = field(default_factory=dict)
    sent_at: dict[str, list[float]] = field(default_factory=dict)  # phone -> send times, for limits
    per_number_per_minute: int | None = None
    slow_seconds: float = 0.0
    slow_count: int = 0
    fail_next: list[str] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    reply_url: str | None = None
    reply_headers: dict[str, str] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)  # pushes: {"items", "answer", "attempt"}
    sequence: int = 0


def _state(request: Request) -> SmsState:
    state: SmsState = request.app.state.sms
    return state


def _answer(code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper(), **extra})


async def _body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        return body if isinstance(body, dict) else {}
    return dict(await request.form())


def _now_text() -> str:
    return datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


async def _push(
    client: httpx.AsyncClient,
    url: str | None,
    headers: dict[str, str],
    items: list[dict[str, Any]],
    log: list[dict[str, Any]],
) -> bool:
    """POST ``items`` until the callback answers ``{"code": 0}`` (retried on the provider's schedule)."""
    if url is None:
        return False
    for attempt, delay in enumerate((0.0, *RECEIPT_RETRY_DELAYS), start=1):
        await asyncio.sleep(delay)
        try:
            response = await client.post(url, json=items, headers=headers)
            answer: Any = response.json()
        except (httpx.HTTPError, ValueError) as error:
            answer = {"error": repr(error)}
        log.append({"items": items, "answer": answer, "attempt": attempt})
        if isinstance(answer, dict) and answer.get("code") == 0:
            return True
    return False


async def _push_receipts(client: httpx.AsyncClient, state: SmsState, items: list[dict[str, Any]]) -> None:
    await _push(client, state.receipt_url, state.receipt_headers, items, state.receipts)


def _limited(state: SmsState, phone: str) -> bool:
    if state.per_number_per_minute is None:
        return False
    now = time.monotonic()
    recent = [at for at in state.sent_at.get(phone, []) if now - at < 60]
    state.sent_at[phone] = recent
    return len(recent) >= state.per_number_per_minute


async def send(request: Request) -> JSONResponse:
    """``POST /sms/send``: SendSms."""
    state = _state(request)
    body = await _body(request)
    if body.get("AccessKeyId") not in (None, state.access_key_id):
        return _answer("InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    phones = [p.strip() for p in str(body.get("PhoneNumbers") or "").split(",") if p.strip()]
    if not phones or not all(PHONE.match(p) for p in phones):
        return _answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    if not body.get("SignName"):
        return _answer("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法")
    if not body.get("TemplateCode"):
        return _answer("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法")
    try:
        params = json.loads(body.get("TemplateParam") or "{}")
    except ValueError:
        params = None
    if not isinstance(params, dict):
        return _answer("isv.INVALID_JSON_PARAM", "JSON参数不合法")
    if state.fail_next:
        code = state.fail_next.pop(0)
        return _answer(code, "injected failure")
    if any(_limited(state, p) for p in phones):
        return _answer("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控")
    biz_id = f"{secrets.randbelow(10**15):015d}^0"
    now = time.monotonic()
    receipts = []
    for phone in phones:
        state.sent_at.setdefault(phone, []).append(now)
        outcome = state.phones.get(phone, _Phone())
        record = {
            "biz_id": biz_id,
            "phone_number": phone,
            "sign_name": body["SignName"],
            "template_code": body["TemplateCode"],
            "template_param": params,
            "out_id": body.get("OutId"),
            "send_time": _now_text(),
        }
        state.messages.append(record)
        state.by_phone.setdefault(phone, []).append(record)
        receipts.append(
            {
                "phone_number": phone,
                "send_time": record["send_time"],
                "report_time": _now_text(),
                "receive_time": _now_text(),
                "success": outcome.deliverable,
                "err_code": "DELIVERED" if outcome.deliverable else outcome.err_code,
                "err_msg": "用户接收成功" if outcome.deliverable else "失败",
                "sms_size": "1",
                "biz_id": biz_id,
                "out_id": body.get("OutId"),
            }
        )
    task = asyncio.create_task(_push_receipts(request.app.state.pushes, state, receipts))
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)
    if state.slow_count > 0:
        # The message is sent; only the answer is late, which is what makes a blind retry send twice.
        state.slow_count -= 1
        await asyncio.sleep(state.slow_seconds)
    return _answer("OK", "OK", BizId=biz_id)


async def query(request: Request) -> JSONResponse:
    """``GET /sms/query?PhoneNumber=&OutId=``: QuerySendDetails, looked up by our out-id."""
    state = _state(request)
    phone, out_id = request.query_params.get("PhoneNumber"), request.query_params.get("OutId")
    details = [
        {
            "PhoneNum": m["phone_number"],
            "OutId": m["out_id"],
            "BizId": m["biz_id"],
            "SendStatus": 3 if state.phones.get(m["phone_number"], _Phone()).deliverable else 2,
            "TemplateCode": m["template_code"],
            "SendDate": m["send_time"],
        }
        for m in state.by_phone.get(phone or "", [])
        if out_id is None or m["out_id"] == out_id
    ]
    return _answer("OK", "OK", TotalCount=len(details), SmsSendDetailDTOs={"SmsSendDetailDTO": details})


async def set_receipt_url(request: Request) -> JSONResponse:
    """``POST /_fake/receipt-url {"url", "headers"?}``: where delivery receipts are pushed."""
    body = await request.json()
    state = _state(request)
    state.receipt_url = body.get("url")
    state.receipt_headers = dict(body.get("headers") or {})
    return JSONResponse({"ok": True})


async def set_reply_url(request: Request) -> JSONResponse:
    """``POST /_fake/reply-url {"url", "headers"?}``: where upstream replies (上行短信) are pushed."""
    body = await request.json()
    state = _state(request)
    state.reply_url = body.get("url")
    state.reply_headers = dict(body.get("headers") or {})
    return JSONResponse({"ok": True})


async def reply(request: Request) -> JSONResponse:
    """``POST /_fake/replies {"phone", "content", "dest_code"?}``: the phone texts back (e.g. ``TD``); the
    reply is pushed to the reply URL at once (retried until ``{"code": 0}``). Answers whether it was taken."""
    body = await request.json()
    state = _state(request)
    phone, content = str(body.get("phone") or ""), str(body.get("content") or "")
    if not PHONE.match(phone):
        return JSONResponse({"ok": False, "error": "isv.MOBILE_NUMBER_ILLEGAL"}, status_code=400)
    state.sequence += 1
    sign = state.messages[-1]["sign_name"] if state.messages else ""
    item = {
        "phone_number": phone,
        "send_time": _now_text(),
        "content": content,
        "sign_name": sign,
        "dest_code": str(body.get("dest_code") or ""),
        "sequence_id": state.sequence,
    }
    taken = await _push(request.app.state.pushes, state.reply_url, state.reply_headers, [item], state.replies)
    return JSONResponse({"ok": True, "taken": taken, "item": item})


async def replies(request: Request) -> JSONResponse:
    """``GET /_fake/replies``: every upstream-reply push, with the callback's answer."""
    return JSONResponse({"items": _state(request).replies})


async def set_phone(request: Request) -> JSONResponse:
    """``POST /_fake/phones/{phone} {"deliverable": false, "err_code"?}``: this number's receipts fail."""
    body = await request.json()
    _state(request).phones[request.path_params["phone"]] = _Phone(
        deliverable=bool(body.get("deliverable", True)),
        err_code=body.get("err_code", "MOBILE_NOT_ON_SERVICE"),
    )
    return JSONResponse({"ok": True})


async def configure(request: Request) -> JSONResponse:
    """``POST /_fake/config {"per_number_per_minute"?, "slow_seconds"?, "slow_count"?}``: limits and latency.

    ``slow_count`` sends are accepted but answered only after ``slow_seconds`` (a client timeout).
    """
    body = await request.json()
    state = _state(request)
    if "per_number_per_minute" in body:
        state.per_number_per_minute = body["per_number_per_minute"]
    if "slow_seconds" in body:
        state.slow_seconds = float(body["slow_seconds"])
        state.slow_count = int(body.get("slow_count", 1))
    return JSONResponse({"ok": True})


async def fail_next(request: Request) -> JSONResponse:
    """``POST /_fake/fail-next {"code", "count"?}``: the next sends answer this code, nothing sent."""
    body = await request.json()
    _state(request).fail_next.extend([str(body["code"])] * int(body.get("count", 1)))
    return JSONResponse({"ok": True})


async def messages(request: Request) -> JSONResponse:
    """``GET /_fake/messages[?phone=]``: every message sent, duplicates included."""
    state, phone = _state(request), request.query_params.get("phone")
    return JSONResponse({"items": state.messages if phone is None else state.by_phone.get(phone, [])})


async def receipts(request: Request) -> JSONResponse:
    """``GET /_fake/receipts``: every receipt push, with the callback's answer."""
    return JSONResponse({"items": _state(request).receipts})


async def reset(request: Request) -> JSONResponse:
    """``POST /_fake/reset``: forget messages, receipts, replies, settings."""
    request.app.state.sms = SmsState(access_key_id=_state(request).access_key_id)
    return JSONResponse({"ok": True})


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    # One pooled client for every receipt and reply push: a client per push cost more than the send itself
    # (its TLS context), and made the fake the busiest process of a bulk load.
    async with httpx.AsyncClient(timeout=5) as client:
        app.state.pushes = client
        yield


def create_app(access_key_id: str | None = None) -> Starlette:
    """The fake; the key defaults to ``SMS_ACCESS_KEY_ID`` or the dev value."""
    app = Starlette(
        lifespan=_lifespan,
        routes=[
            Route("/sms/send", send, methods=["POST"]),
            Route("/sms/query", query, methods=["GET"]),
            Route("/_fake/receipt-url", set_receipt_url, methods=["POST"]),
            Route("/_fake/reply-url", set_reply_url, methods=["POST"]),
            Route("/_fake/replies", reply, methods=["POST"]),
            Route("/_fake/replies", replies, methods=["GET"]),
            Route("/_fake/phones/{phone}", set_phone, methods=["POST"]),
            Route("/_fake/config", configure, methods=["POST"]),
            Route("/_fake/fail-next", fail_next, methods=["POST"]),
            Route("/_fake/messages", messages, methods=["GET"]),
            Route("/_fake/receipts", receipts, methods=["GET"]),
            Route("/_fake/reset", reset, methods=["POST"]),
        ],
    )
    app.state.sms = SmsState(
        access_key_id=access_key_id or os.environ.get("SMS_ACCESS_KEY_ID") or DEFAULT_ACCESS_KEY_ID
    )
    return app
