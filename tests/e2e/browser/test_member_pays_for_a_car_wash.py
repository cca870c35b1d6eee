"""Journey of the member H5 with payment: an ordinary member books the discounted car wash, pays for it on
WeChat Pay's cashier page, and the car wash's webhook receiver gets the order only once WeChat Pay's
notification has come through; another order, paid and then cancelled, shows its refund."""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cheyou_demo import Member, Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
# 宁德 (Ningde): a city no other test's car wash serves, so dispatch can only choose this one.
CITY, CITY_NAME = "350900", "宁德市"


class Receiver:
    """The car wash's webhook endpoint: verifies each delivery's signature and keeps the orders."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.dispatched: list[str] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        app = Starlette(routes=[Route("/hooks", self.receive, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )

    async def receive(self, request: Request) -> JSONResponse:
        assert self.secret is not None
        payload = Webhook(self.secret).verify(await request.body(), dict(request.headers))
        if payload["type"] == "order.dispatched":
            self.dispatched.append(str(payload["data"]))
        return JSONResponse({"ok": True})

    def got(self, order_id: str) -> bool:
        return any(order_id in data for data in self.dispatched)


async def _started(server: uvicorn.Server) -> bool | None:
    return True if server.started else None


@pytest.fixture
async def car_wash(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> AsyncIterator[Receiver]:
    receiver = Receiver()
    task = asyncio.create_task(receiver.server.serve())
    await eventually(lambda: _started(receiver.server), within=10)
    ops = staff["ops1"]
    created = await ops.post(
        "/merchants",
        json={"name": f"闽东洁车坊{uuid.uuid4().hex[:6]}", "category": "car_wash", "city_codes": [CITY]},
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
    endpoint = await ops.post(
        "/webhook-endpoints",
        json={"merchant_id": merchant_id, "url": f"http://127.0.0.1:{receiver.port}/hooks"},
    )
    assert endpoint.status_code == 201, endpoint.text
    receiver.secret = endpoint.json()["secret"]
    try:
        yield receiver
    finally:
        receiver.server.should_exit = True
        await task


async def book_a_car_wash(page: Page) -> str:
    """From the privileges page: book the car wash in 宁德; the order page's id."""
    await page.goto("/h5/privileges")
    await page.locator('[data-code="car_wash"]').get_by_role("button", name="预约洗车服务").click()
    await page.get_by_label("城市").select_option(label=CITY_NAME)
    await page.get_by_role("button", name="提交预约").click()
    await expect(page.get_by_test_id("order-status")).to_have_text("待支付")
    return page.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


async def pay_on_the_cashier_page(page: Page, shots: Shots, step: str) -> None:
    await page.get_by_role("button", name="立即支付 ¥20.00").click()
    confirm = page.get_by_role("dialog").filter(has_text="使用微信支付 ¥20.00")
    await confirm.get_by_role("button", name="确定").click()
    await page.wait_for_url("**/checkmweb**")
    await expect(page.get_by_text("¥20.00")).to_be_visible()
    await shots(page, f"{step}-cashier")
    await page.get_by_role("button", name="确认支付").click()
    await page.wait_for_url("**/h5/orders/**")


async def test_an_ordinary_member_pays_for_a_discounted_car_wash_and_cancels_another_for_a_refund(
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    car_wash: Receiver,
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
) -> None:
    member: Member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 300_000))

    async def ordinary() -> bool | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return True if body.get("tier") == "ordinary" else None

    await eventually(ordinary, within=60)

    # The member sees the car wash at half price among their privileges.
    await phone.goto("/h5/privileges")
    await sign_in_by_sms(phone, cheyou, member.phone)
    wash = phone.locator('[data-code="car_wash"]')
    await expect(wash).to_contain_text("洗车服务")
    await expect(wash).to_contain_text("¥20.00")
    await expect(wash).to_contain_text("50% 优惠")
    await shots(phone, "privileges")

    # Booked, the order waits for its payment: nothing reaches the car wash yet.
    order_id = await book_a_car_wash(phone)
    await expect(phone.get_by_test_id("time-left")).to_contain_text("内完成支付")
    await shots(phone, "awaiting-payment")
    assert await axe(phone) == []
    await asyncio.sleep(3)  # what a dispatch would take
    assert not car_wash.got(order_id)

    # Paid on WeChat Pay's cashier page; back on the order page it waits for WeChat Pay's notification.
    await pay_on_the_cashier_page(phone, shots, "first")
    status = phone.get_by_test_id("order-status")
    await expect(status).to_have_text("待接单", timeout=45_000)
    await expect(phone.get_by_test_id("payment-status")).to_contain_text("已支付 ¥20.00")
    await shots(phone, "paid")
    assert await axe(phone) == []
    await eventually(lambda: _true(car_wash.got(order_id)), within=90)

    # Another car wash, paid and then cancelled before any merchant accepted: all of it goes back.
    second = await book_a_car_wash(phone)
    await pay_on_the_cashier_page(phone, shots, "second")
    await expect(status).to_have_text("待接单", timeout=45_000)
    await phone.get_by_role("button", name="取消订单").click()
    dialog = phone.get_by_role("dialog").filter(has_text="取消后权益次数和积分会退回")
    await expect(dialog).to_contain_text("已付款项按服务条款原路退回")
    await shots(phone, "cancel-confirm")
    await dialog.get_by_role("button", name="取消订单").click()
    await expect(status).to_have_text("已取消")
    await expect(phone.get_by_test_id("payment-status")).to_contain_text("已退款 ¥20.00", timeout=45_000)
    await shots(phone, "refunded")
    assert await axe(phone) == []
    refunded = (await member.http.get(f"/orders/{second}")).json()
    assert (refunded["payment"]["status"], refunded["payment"]["refunded_fen"]) == ("refunded", 2000)

    # The list says where each order stands.
    await phone.goto("/h5/orders")
    await expect(phone.get_by_role("link").filter(has_text="已取消")).to_have_count(1)
    await expect(phone.get_by_role("link").filter(has_text="待接单")).to_have_count(1)
    await shots(phone, "orders")


async def _true(value: bool) -> bool | None:
    return True if value else None
