"""The "Me" page (WeChat 我 menu): one call, the parts fetched from the services in parallel.

Each part is fetched with the member's own identity, so every service applies its own object checks.
A part whose service fails or is slow says so; the others still answer.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from cheyou_kit.errors import ProblemError
from cheyou_kit.identity import Principal

from gateway.me.schemas import Barcode, Card, MeRead, Points, Profile
from gateway.runtime import Runtime

log = logging.getLogger(__name__)

RECENT_ORDERS = 5
CLOSED_CLAIM_STATES = frozenset({"settled", "paid", "closed", "withdrawn", "rejected", "cancelled"})


class PartFailed(Exception):
    pass


def _items(answer: Any) -> list[dict[str, Any]]:
    items = answer.get("items", []) if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise PartFailed("the service answered an unexpected shape")
    return [item for item in items if isinstance(item, dict)]


def _expiry_date(lot: dict[str, Any]) -> str:
    return str(lot.get("expires_on") or lot.get("expires_at") or "9999")


async def page(runtime: Runtime, principal: Principal) -> MeRead:  # noqa: C901 (one branch per service; to split, issue 18)
    assert principal.member_id is not None
    member_id = principal.member_id
    timeout = runtime.settings.me_part_timeout_seconds

    async def get(service: str, path: str, **params: Any) -> Any:
        response = await runtime.upstreams[service].request(
            "GET", path, principal=principal, params=params or None, timeout_seconds=timeout
        )
        if response.status_code != 200:
            raise PartFailed(f"{service} answered {response.status_code}")
        if response.headers.get("content-type", "").startswith("image/"):
            return response.content
        return response.json()

    async def part(fetch: Callable[[], Awaitable[object]]) -> dict[str, object]:
        """``{available, data}`` or ``{available: false, error}``; validated as a ``Part`` by ``MeRead``."""
        try:
            async with asyncio.timeout(timeout + 0.5):
                return {"available": True, "data": await fetch()}
        except ProblemError as exc:
            return {"available": False, "error": exc.detail}
        except PartFailed as exc:
            return {"available": False, "error": str(exc)}
        except TimeoutError:
            return {"available": False, "error": "the service did not answer in time"}
        except Exception as exc:
            log.warning("me page part failed: %r", exc)
            return {"available": False, "error": "unavailable"}

    async def profile() -> Profile:
        return Profile.model_validate(await get("member-svc", f"/api/v1/members/{member_id}"))

    async def card() -> Card:
        png = await get("member-svc", f"/api/v1/members/{member_id}/card")
        if not isinstance(png, bytes):
            raise PartFailed("member-svc answered no image")
        return Card(
            qr_png_base64=base64.b64encode(png).decode(),
            barcode=Barcode(format="code128", value=member_id.hex.upper()),
        )

    async def points() -> Points:
        answer = await get("privilege-svc", f"/api/v1/points/{member_id}")
        expiring = [lot for lot in answer.get("expiring", []) if isinstance(lot, dict)]
        soonest = min(expiring, key=_expiry_date) if expiring else None
        return Points(balance=int(answer["balance"]), soonest_expiry=soonest, expiring=expiring)

    async def entitlements() -> list[dict[str, Any]]:
        return _items(await get("privilege-svc", f"/api/v1/entitlements/{member_id}"))

    async def orders() -> list[dict[str, Any]]:
        answer = await get("privilege-svc", "/api/v1/orders", member_id=str(member_id), limit=RECENT_ORDERS)
        return _items(answer)[:RECENT_ORDERS]

    async def claims() -> list[dict[str, Any]]:
        answer = await get("claims-svc", "/api/v1/claims", member_id=str(member_id))
        return [c for c in _items(answer) if str(c.get("status", "")).lower() not in CLOSED_CLAIM_STATES]

    async def coupons() -> list[dict[str, Any]]:
        return _items(await get("merchant-svc", "/api/v1/coupons", member_id=str(member_id)))

    async def unread() -> int:
        return int((await get("notify-svc", f"/api/v1/inbox/{member_id}/unread-count"))["unread"])

    parts = await asyncio.gather(
        part(profile),
        part(card),
        part(points),
        part(entitlements),
        part(orders),
        part(claims),
        part(coupons),
        part(unread),
    )
    names = ("profile", "card", "points", "entitlements", "recent_orders", "open_claims", "coupons")
    return MeRead.model_validate(
        {"member_id": member_id, **dict(zip((*names, "unread_messages"), parts, strict=True))}
    )
