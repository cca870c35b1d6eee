"""Payments end to end, through the gateway and the fake WeChat Pay: an ordinary member's discounted car
wash waits for its payment; the merchant's webhook receiver gets the order only after WeChat Pay's
notification came through the gateway's public route and was verified; a paid order cancelled is refunded;
the day's reconciliation against WeChat Pay's bills is clean."""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from cheyou_demo import Member, Platform
from cheyou_devinfra.platform import FAKES
from cheyou_kit.testing import eventually
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

CITY = "350900"  # 宁德: no other test's car wash serves it, so dispatch can only choose this one
CHINA = ZoneInfo("Asia/Shanghai")


class Receiver:
    """The car wash's webhook endpoint: a real HTTP server that verifies every delivery's signature."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.orders: list[dict[str, Any]] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.server = uvicorn.Server(
            uvicorn.Config(
                Starlette(routes=[Route("/hooks", self.receive, methods=["POST"])]),
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
            )
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def receive(self, request: Request) -> JSONResponse:
        assert self.secret is not None
        payload = Webhook(self.secret).verify(await request.body(), dict(request.headers))
        if payload["type"] == "order.dispatched":
            self.orders.append(payload["data"])
        return JSONResponse({"ok": True})

    def got(self, order_id: str) -> bool:
        return any(order_id in str(order) for order in self.orders)


async def _started(server: uvicorn.Server) -> bool | None:
    return True if server.started else None


@pytest.fixture
async def car_wash(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> AsyncIterator[Receiver]:
    """A car wash under contract in 宁德 with its webhook receiver."""
    receiver = Receiver()
    task = asyncio.create_task(receiver.server.serve())
    await eventually(lambda: _started(receiver.server), within=10)
    ops = staff["ops1"]
    created = await ops.post(
        "/merchants",
        json={"name": f"宁德洁车坊{uuid.uuid4().hex[:6]}", "category": "car_wash", "city_codes": [CITY]},
    )
    assert created.status_code == 201, created.text
    merchant_id = created.json()["id"]
    today = date.today()
    contract = await ops.post(
        f"/merchants/{merchant_id}/contracts",
        json={
            "privilege_ids": ["car_wash"],
            "city_codes": [CITY],
            "unit_price_fen": 3_000,
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert contract.status_code == 201, contract.text
    activated = await ops.post(
        f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "签约完成"}
    )
    assert activated.status_code == 200, activated.text
    endpoint = await ops.post("/webhook-endpoints", json={"merchant_id": merchant_id, "url": receiver.url})
    assert endpoint.status_code == 201, endpoint.text
    receiver.secret = endpoint.json()["secret"]
    try:
        yield receiver
    finally:
        receiver.server.should_exit = True
        await task


async def ordinary_member(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> Member:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 300_000))

    async def ordinary() -> bool | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return True if body.get("tier") == "ordinary" else None

    await eventually(ordinary, within=60)
    return member


def wechatpay() -> str:
    return next(fake for fake in FAKES if fake.name == "wechatpay").url


async def pay_on_the_cashier_page(member: Member, order_id: str) -> None:
    """What a phone browser does: ask for an H5 payment, open WeChat Pay's cashier, press 确认支付."""
    started = await member.http.post("/payments", json={"order_id": order_id, "channel": "h5"})
    assert started.status_code == 201, started.text
    h5 = httpx.URL(started.json()["h5_url"])
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(str(h5))
        assert "¥20.00" in page.text
        confirmed = await browser.post(
            str(h5.copy_with(query=None)),
            data={"prepay_id": h5.params["prepay_id"], "package": h5.params["package"], "redirect_url": ""},
        )
    assert confirmed.status_code == 200, confirmed.text


async def order_when(member: Member, order_id: str, status: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        order: dict[str, Any] = (await member.http.get(f"/orders/{order_id}")).json()
        return order if order["status"] == status else None

    return await eventually(probe, within=90)


async def test_an_ordinary_member_pays_and_only_then_the_car_wash_gets_the_order(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], car_wash: Receiver
) -> None:
    member = await ordinary_member(cheyou, staff)
    appointment = (datetime.now(CHINA) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )

    booked = await member.http.post(
        "/orders",
        json={
            "privilege_code": "car_wash",
            "city_code": CITY,
            "appointment_at": appointment.isoformat(),
            "vehicle_plate": member.plate,
        },
    )
    assert booked.status_code == 201, booked.text
    order = booked.json()
    assert (order["status"], order["price_fen"]) == ("awaiting_payment", 2000)
    await asyncio.sleep(3)  # what a dispatch would take: none happens before the payment
    assert not car_wash.got(order["id"])

    await pay_on_the_cashier_page(member, order["id"])

    paid = await order_when(member, order["id"], "requested")
    assert paid["payment"]["status"] == "paid"
    await eventually(lambda: _true(car_wash.got(order["id"])), within=90)
    async with httpx.AsyncClient(timeout=10) as fake:
        pushes = (await fake.get(f"{wechatpay()}/_fake/notifications")).json()["items"]
    assert any(
        p["url"].endswith("/api/v1/payments/wechatpay/notifications") and p["status"] == 204 for p in pushes
    )


async def _true(value: bool) -> bool | None:
    return True if value else None


async def test_a_paid_order_cancelled_is_refunded_and_the_day_reconciles_clean(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], car_wash: Receiver
) -> None:
    member = await ordinary_member(cheyou, staff)
    appointment = (datetime.now(CHINA) + timedelta(days=2)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    booked = await member.http.post(
        "/orders",
        json={
            "privilege_code": "car_wash",
            "city_code": CITY,
            "appointment_at": appointment.isoformat(),
            "vehicle_plate": member.plate,
        },
    )
    order_id = booked.json()["id"]
    await pay_on_the_cashier_page(member, order_id)
    await order_when(member, order_id, "requested")

    cancelled = await member.http.post(f"/orders/{order_id}/cancel", json={"reason": "临时有事"})

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"

    async def refunded() -> dict[str, Any] | None:
        found: dict[str, Any] = (await member.http.get(f"/orders/{order_id}")).json()
        return found if (found["payment"] or {}).get("status") == "refunded" else None

    final = await eventually(refunded, within=90)
    assert final["payment"]["refunded_fen"] == 2000
    today = datetime.now(CHINA).date().isoformat()
    run = await staff["ops1"].post("/payments/reconciliations", json={"bill_date": today})
    assert run.status_code == 200, run.text
    assert (run.json()["status"], run.json()["items"]) == ("clean", [])
    assert run.json()["matched"] >= 2  # this payment and its refund at least


async def test_wechat_pay_reaches_its_notification_route_without_signing_in_and_nothing_else_does(
    cheyou: Platform,
) -> None:
    async with httpx.AsyncClient(base_url=f"{cheyou.gateway}/api/v1", timeout=10) as anonymous:
        forged = await anonymous.post("/payments/wechatpay/notifications", json={"id": "x", "resource": {}})
        start = await anonymous.post("/payments", json={"order_id": str(uuid.uuid4()), "channel": "h5"})

    # privilege-svc answered (WeChat Pay's "FAIL"), not the gateway; the rest of /payments needs a member.
    assert (forged.status_code, forged.json()["code"]) == (401, "FAIL")
    assert start.status_code == 401
    assert start.json()["detail"].startswith("sign in first")
