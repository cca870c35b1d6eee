"""Fake outside feeds: a traffic-violation data provider and a weather-alert provider.

Each is one app (``create_app("violations" | "weather", ...)``) that plays a provider both ways:

- **push**: items added with ``push`` are POSTed to the platform's ingestion endpoint
  (``/api/v1/feed-webhooks/<provider>``) in batches, signed the Standard Webhooks way — headers
  ``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256(key,
  "{id}.{timestamp}.{body}")>`` with the provider's ``whsec_`` secret;
- **pull**: ``GET /feed/items?cursor=&limit=`` with ``Authorization: Bearer <token>`` answers
  ``{"items": [...], "next_cursor": "..."}`` (an opaque cursor; the same one again when nothing is new).

Test controls live under ``/_fake``: ``POST /_fake/items`` ``{"items": [...], "push": true}`` adds items
(and pushes them), ``POST /_fake/push-url`` ``{"url": ...}``, ``POST /_fake/fail-pulls``
``{"count": n, "status": 503}`` makes the next pulls fail, ``GET /_fake/pushes`` lists the pushes and their
answers, ``POST /_fake/repush`` ``{"index": i}`` sends a recorded push again byte for byte (a replay).
The items' shapes are the platform's contract (``notify_svc.feeds.schemas``); helpers below make them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Provider = Literal["violations", "weather"]
# The development secrets notify-svc has by default (NOTIFY_FEED_VIOLATIONS_SECRET / _WEATHER_SECRET).
DEV_SECRETS: dict[str, str] = {
    "violations": "whsec_Y2hleW91LWRldi12aW9sYXRpb24tZmVlZC1zZWNyZXQ=",
    "weather": "whsec_Y2hleW91LWRldi13ZWF0aGVyLS1mZWVkLXNlY3JldCE=",
}
DEV_PULL_TOKEN = "cheyou-dev-feed-token"
PUSH_BATCH = 40
"""Items per push: a push stays well under the gateway's 16 KiB for callers without credentials."""


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{delivery_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    secret: str, body: bytes, delivery_id: str | None = None, at: int | None = None
) -> dict[str, str]:
    delivery_id = delivery_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if at is None else at
    return {
        "content-type": "application/json",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, delivery_id, timestamp, body),
    }


# --- items as the providers word them -----------------------------------------------------------------

OFFENCES = [
    ("1344", "违反禁令标志指示", 20000, 3),
    ("1625", "违反道路交通信号灯通行", 20000, 6),
    ("1039", "机动车违反规定停放、临时停车", 15000, 0),
    ("1352", "超过规定时速10%以上未达20%", 20000, 3),
    ("1101", "驾驶时拨打接听手持电话", 5000, 3),
]
PLACES = ["福州市鼓楼区五四路与东街口交叉口", "福州市台江区工业路宝龙广场段", "福州市仓山区三环路盖山段"]


def violation(
    plate: str, *, offence: int = 0, item_id: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    code, text, fine_fen, points = OFFENCES[offence % len(OFFENCES)]
    occurred = (at or datetime.now(UTC) - timedelta(hours=5)).astimezone(UTC)
    return {
        "id": item_id or f"V{uuid.uuid4().hex[:16].upper()}",
        "plate": plate,
        "occurred_at": occurred.isoformat(),
        "location": PLACES[offence % len(PLACES)],
        "offence": text,
        "offence_code": code,
        "fine_fen": fine_fen,
        "points": points,
        "recorded_at": datetime.now(UTC).isoformat(),
    }


KIND_TEXT = {"typhoon": "台风", "rainstorm": "暴雨", "freezing": "道路结冰"}
LEVEL_TEXT = {1: "红色", 2: "橙色", 3: "黄色", 4: "蓝色"}
CITY = {"350100": "福州市", "350200": "厦门市", "350181": "福清市"}


def weather_alert(
    region_code: str,
    kind: str = "typhoon",
    level: int = 2,
    *,
    item_id: str | None = None,
    hours: int = 24,
    headline: str | None = None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    where = CITY.get(region_code, "")
    words = f"{KIND_TEXT.get(kind, '气象')}{LEVEL_TEXT[level]}预警"
    return {
        "id": item_id or f"W{uuid.uuid4().hex[:16].upper()}",
        "region_code": region_code,
        "kind": kind,
        "level": level,
        "headline": headline or f"{where}气象台发布{words}信号",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=hours)).isoformat(),
        "issued_at": now.isoformat(),
    }


# --- the provider ---------------------------------------------------------------------------------------


@dataclass
class FeedState:
    provider: Provider
    secret: str
    token: str
    push_url: str | None
    items: list[dict[str, Any]] = field(default_factory=list)
    pushes: list[dict[str, Any]] = field(default_factory=list)  # {"headers", "body", "status", "answer"}
    fail_pulls: int = 0
    fail_status: int = 503
    pulls: int = 0


def _state(request: Request) -> FeedState:
    state: FeedState = request.app.state.feed
    return state


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": position}).encode()).decode()


def _position(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["p"])
    except (ValueError, KeyError, TypeError):
        return -1


async def push(state: FeedState, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST ``items`` signed to the push URL in batches; returns each push's record."""
    done = []
    async with httpx.AsyncClient(timeout=10) as client:
        for start in range(0, len(items), PUSH_BATCH):
            body = json.dumps({"items": items[start : start + PUSH_BATCH]}, ensure_ascii=False).encode()
            done.append(await _send(state, client, body, signed_headers(state.secret, body)))
    return done


async def _send(
    state: FeedState, client: httpx.AsyncClient, body: bytes, headers: dict[str, str]
) -> dict[str, Any]:
    record: dict[str, Any] = {"headers": headers, "body": body.decode(), "status": None, "answer": None}
    if state.push_url is None:
        record["answer"] = "no push URL"
    else:
        try:
            response = await client.post(state.push_url, content=body, headers=headers)
            record["status"] = response.status_code
            record["answer"] = response.json() if response.content else None
        except (httpx.HTTPError, ValueError) as exc:
            record["answer"] = f"{type(exc).__name__}: {exc}"
    state.pushes.append(record)
    return record


async def add_items(request: Request) -> JSONResponse:
    state = _state(request)
    body = await request.json()
    items = list(body.get("items", []))
    state.items.extend(items)
    pushed = await push(state, items) if body.get("push", True) else []
    return JSONResponse({"added": len(items), "pushes": pushed})


async def set_push_url(request: Request) -> JSONResponse:
    _state(request).push_url = (await request.json()).get("url")
    return JSONResponse({"ok": True})


async def fail_pulls(request: Request) -> JSONResponse:
    state, body = _state(request), await request.json()
    state.fail_pulls, state.fail_status = int(body.get("count", 1)), int(body.get("status", 503))
    return JSONResponse({"ok": True})


async def list_pushes(request: Request) -> JSONResponse:
    state = _state(request)
    return JSONResponse({"items": state.pushes, "pulls": state.pulls})


async def repush(request: Request) -> JSONResponse:
    """Send a recorded push again exactly as it was (same id, timestamp, signature, bytes)."""
    state, body = _state(request), await request.json()
    old = state.pushes[int(body.get("index", -1))]
    async with httpx.AsyncClient(timeout=10) as client:
        record = await _send(state, client, old["body"].encode(), dict(old["headers"]))
    return JSONResponse(record)


async def pull(request: Request) -> JSONResponse:
    state = _state(request)
    if request.headers.get("authorization") != f"Bearer {state.token}":
        return JSONResponse({"code": "unauthorized", "message": "bad token"}, status_code=401)
    state.pulls += 1
    if state.fail_pulls > 0:
        state.fail_pulls -= 1
        return JSONResponse({"code": "unavailable"}, status_code=state.fail_status)
    position = _position(request.query_params.get("cursor"))
    if position < 0:
        return JSONResponse({"code": "bad_cursor"}, status_code=400)
    try:
        limit = max(1, min(500, int(request.query_params.get("limit", "100"))))
    except ValueError:
        return JSONResponse({"code": "bad_limit"}, status_code=400)
    page = state.items[position : position + limit]
    return JSONResponse({"items": page, "next_cursor": _cursor(position + len(page))})


def create_app(
    provider: Provider,
    *,
    secret: str | None = None,
    token: str = DEV_PULL_TOKEN,
    push_url: str | None = None,
) -> Starlette:
    app = Starlette(
        routes=[
            Route("/feed/items", pull, methods=["GET"]),
            Route("/_fake/items", add_items, methods=["POST"]),
            Route("/_fake/push-url", set_push_url, methods=["POST"]),
            Route("/_fake/fail-pulls", fail_pulls, methods=["POST"]),
            Route("/_fake/pushes", list_pushes, methods=["GET"]),
            Route("/_fake/repush", repush, methods=["POST"]),
        ]
    )
    app.state.feed = FeedState(provider, secret or DEV_SECRETS[provider], token, push_url)
    return app
