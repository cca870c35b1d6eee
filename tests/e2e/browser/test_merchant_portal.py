"""Merchant staff at work in the console's merchant portal: a designated-driving company's dispatcher signs in
with phone + SMS code on her phone, accepts a new order before its deadline and sees it through to completed;
the company's admin redeems a member's coupon at the counter and rotates the webhook signing secret with the
overlap explained. Everything is set up through the API: a merchant with a contract, its users, a webhook
receiver, a star member's booking dispatched to it, a coupon of the merchant's batch."""

import asyncio
import json
import re
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cheyou_demo import Member, Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]

# 罗源 (Luoyuan): no demo merchant and no other test's merchant serves it, so dispatch chooses this one.
CITY = "350123"


def _phone() -> str:
    return f"137{uuid.uuid4().int % 10**8:08d}"


@dataclass
class Merchant:
    id: str
    name: str
    admin_phone: str
    dispatcher_phone: str
    endpoint_id: str


class Receiver:
    """The merchant's own server: answers every webhook 200 (its deliveries fill the log)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.received = 0
        app = Starlette(routes=[Route("/hooks", self.receive, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )

    async def receive(self, request: Request) -> JSONResponse:
        await request.body()
        self.received += 1
        return JSONResponse({"ok": True})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    task = asyncio.create_task(receiver.server.serve())
    await eventually(lambda: _true(receiver.server.started), within=10)
    try:
        yield receiver
    finally:
        receiver.server.should_exit = True
        await task


async def _true(value: bool) -> bool | None:
    return True if value else None


async def _merchant(ops: httpx.AsyncClient, receiver: Receiver) -> Merchant:
    name = f"罗源安途代驾{uuid.uuid4().hex[:4]}"
    created = await ops.post(
        "/merchants", json={"name": name, "category": "designated_driving", "city_codes": [CITY]}
    )
    assert created.status_code == 201, created.text
    merchant_id = created.json()["id"]
    today = date.today()
    contract = await ops.post(
        f"/merchants/{merchant_id}/contracts",
        json={
            "privilege_ids": ["after_drinking_driving"],
            "city_codes": [CITY],
            "unit_price_fen": 8_000,
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert contract.status_code == 201, contract.text
    active = await ops.post(
        f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "签约完成"}
    )
    assert active.status_code == 200, active.text
    phones = {"merchant_admin": _phone(), "dispatcher": _phone()}
    for role, person in (("merchant_admin", "林建平"), ("dispatcher", "陈丽华")):
        user = await ops.post(
            f"/merchants/{merchant_id}/users", json={"name": person, "role": role, "phone": phones[role]}
        )
        assert user.status_code == 201, user.text
    endpoint = await ops.post(
        "/webhook-endpoints",
        json={"merchant_id": merchant_id, "url": receiver.url, "description": "调度系统"},
    )
    assert endpoint.status_code == 201, endpoint.text
    return Merchant(merchant_id, name, phones["merchant_admin"], phones["dispatcher"], endpoint.json()["id"])


async def _star_member(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> Member:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 1_500_000))

    async def star() -> bool | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return True if body.get("tier") in {"three_star", "four_star", "five_star"} else None

    await eventually(star, within=60)
    return member


async def _coupon(ops: httpx.AsyncClient, merchant: Merchant, member: Member) -> str:
    now = datetime.now(UTC)
    batch = await ops.post(
        "/coupons/batches",
        json={
            "merchant_id": merchant.id,
            "title": "代驾立减 20 元",
            "kind": "amount_off",
            "amount_off_fen": 2_000,
            "valid_from": (now - timedelta(days=1)).isoformat(),
            "valid_until": (now + timedelta(days=30)).isoformat(),
            "quantity": 10,
        },
    )
    assert batch.status_code == 201, batch.text
    issued = await ops.post(
        f"/coupons/batches/{batch.json()['id']}/issue", json={"member_ids": [member.member_id]}
    )
    assert issued.status_code == 201, issued.text
    code: str = issued.json()[0]["code"]
    return code


async def _sms_code(cheyou: Platform, phone: str, before: int) -> str | None:
    messages = await cheyou.sms_messages(phone)
    if len(messages) <= before:
        return None
    params = messages[-1]["template_param"]
    if isinstance(params, str):
        params = json.loads(params)
    return str(params["code"])


async def _sign_in(page: Page, cheyou: Platform, phone: str, shots: Shots, who: str) -> None:
    """As merchant staff do: the console's sign-in page, the merchant tab, phone, the texted code."""
    await page.goto("/console/sign-in?as=merchant")
    await page.get_by_label("手机号").fill(phone)
    before = len(await cheyou.sms_messages(phone))
    await page.get_by_role("button", name="获取验证码").click()
    code = await eventually(lambda: _sms_code(cheyou, phone, before), within=20)
    await expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    await page.get_by_label("短信验证码").fill(code)
    await shots(page, f"{who}-signs-in")
    await page.get_by_role("button", name="登录商户门户").click()
    await expect(page.get_by_role("heading", name="服务订单", level=1)).to_be_visible()


async def _portal_violations(page: Page, axe: Axe) -> list[dict[str, Any]]:
    """axe's serious violations inside the portal page itself (``.portal-page``); the console frame around it
    (header, menu) is the shell's and has tests of its own."""
    mine = []
    for violation in await axe(page):
        nodes = [
            target
            for target in violation["nodes"]
            if await page.evaluate("t => !!document.querySelector(t[0])?.closest('.portal-page')", target)
        ]
        if nodes:
            mine.append({**violation, "nodes": nodes})
    return mine


async def test_merchant_staff_accept_and_complete_an_order_redeem_a_coupon_and_rotate_the_webhook_secret(
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    receiver: Receiver,
    phone: Page,
    desk: Page,
    shots: Shots,
    axe: Axe,
) -> None:
    ops = staff["ops1"]
    merchant = await _merchant(ops, receiver)
    member = await _star_member(cheyou, staff)
    code = await _coupon(ops, merchant, member)
    booked = await member.http.post(
        "/orders",
        json={
            "privilege_code": "after_drinking_driving",
            "city_code": CITY,
            "pickup_address": "罗源县凤山镇西大街88号",
            "destination_address": "福州市鼓楼区五四路158号",
            "vehicle_plate": member.plate,
        },
        headers={"Idempotency-Key": f"portal-{uuid.uuid4()}"},
    )
    assert booked.status_code == 201, booked.text
    order_id = booked.json()["id"]

    # The dispatcher, on her phone: signs in with the code texted to her, sees the order and its deadline.
    await _sign_in(phone, cheyou, merchant.dispatcher_phone, shots, "dispatcher")
    card = phone.get_by_role("article").filter(has_text="罗源县凤山镇西大街88号")
    await expect(card).to_be_visible(
        timeout=60_000
    )  # dispatch is asynchronous; the page looks again every 20 s
    await expect(card).to_contain_text("酒后代驾")
    await expect(card).to_contain_text("待接单")
    await expect(card).to_contain_text("接单剩余")
    await expect(card).to_contain_text(member.plate)
    await expect(phone.get_by_text(merchant.name)).to_be_visible()
    await shots(phone, "dispatcher-sees-the-new-order-with-its-deadline")
    assert await _portal_violations(phone, axe) == []

    await card.get_by_role("button", name="接单").click()
    await expect(phone.get_by_text("已接单，请按时完成服务")).to_be_visible()
    await phone.get_by_role("tab", name="进行中").click()
    card = phone.get_by_role("article").filter(has_text="罗源县凤山镇西大街88号")
    await expect(card).to_contain_text("已接单")
    await shots(phone, "accepted-order-in-hand")
    await card.get_by_role("button", name="已到达").click()
    await expect(card.get_by_role("button", name="已到达")).to_have_count(0)
    await card.get_by_role("button", name="开始服务").click()
    await expect(card).to_contain_text("服务中")
    await card.get_by_role("button", name="完成服务").click()
    dialog = phone.get_by_role("dialog", name="完成服务")
    await dialog.get_by_role(
        "button", name="完成服务"
    ).click()  # nothing written yet: the form says what is missing
    await expect(dialog.get_by_text("请简要说明服务情况")).to_be_visible()
    await dialog.get_by_label("凭证照片链接").fill("不是链接")
    await dialog.get_by_label("服务说明").fill("已安全送达，车辆停放在小区地下车库")
    await dialog.get_by_role("button", name="完成服务").click()
    await expect(dialog.get_by_text("照片链接须以 http:// 或 https:// 开头，每行一个")).to_be_visible()
    await shots(phone, "complete-form-refuses-a-bad-photo-link")
    await dialog.get_by_label("凭证照片链接").fill("https://files.example.com/orders/handover.jpg")
    await dialog.get_by_role("button", name="完成服务").click()
    await expect(phone.get_by_text("服务已完成")).to_be_visible()

    await phone.goto(f"/console/portal/orders/{order_id}")
    await expect(phone.get_by_text("已完成").first).to_be_visible()
    history = phone.locator(".el-timeline")
    for step in ("派给我们", "接单", "到达", "开始服务", "完成服务"):
        await expect(history).to_contain_text(step)
    await expect(phone.get_by_text("已安全送达，车辆停放在小区地下车库")).to_be_visible()
    await shots(phone, "the-completed-order-and-its-history")
    assert (await ops.get(f"/fulfilments/{order_id}")).json()["status"] == "completed"

    # A dispatcher may not see the webhook secrets, nor any staff page.
    await phone.goto("/console/portal/webhooks")
    await expect(phone.get_by_text("您的角色无权访问此页面")).to_be_visible()
    await expect(phone.get_by_text("whsec_")).to_have_count(0)
    await phone.goto("/console/verification")
    await expect(phone.get_by_text("您的角色无权访问此页面")).to_be_visible()
    await shots(phone, "dispatcher-is-not-allowed-the-secrets")

    # The admin at the counter: the member's coupon by its code, redeemed once.
    await _sign_in(desk, cheyou, merchant.admin_phone, shots, "admin")
    await desk.get_by_role("menuitem", name="券码核销").click()
    await desk.get_by_role("textbox", name="券码").fill("12")
    await desk.get_by_role("button", name="查询").click()
    await expect(desk.get_by_text("券码是 4–20 位字母或数字")).to_be_visible()
    await desk.get_by_role("textbox", name="券码").fill(code.lower())
    await desk.get_by_role("button", name="查询").click()
    await expect(desk.get_by_text("代驾立减 20 元")).to_be_visible()
    await expect(desk.get_by_text("抵扣 ¥20.00")).to_be_visible()
    await expect(desk.get_by_text("可以核销")).to_be_visible()
    await shots(desk, "admin-looks-up-the-coupon")
    assert await _portal_violations(desk, axe) == []
    await desk.get_by_role("button", name="确认核销").click()
    await desk.get_by_role("dialog").get_by_role("button", name="确认核销").click()
    await expect(desk.get_by_text("核销成功")).to_be_visible()
    await expect(desk.get_by_text("已核销")).to_be_visible()
    await shots(desk, "the-coupon-is-redeemed")
    mine = (await member.http.get("/coupons", params={"member_id": member.member_id})).json()["items"]
    assert [c["status"] for c in mine if c["code"] == code] == ["redeemed"]

    # Once only: the same code again says so.
    await desk.get_by_role("button", name="核销下一张").click()
    await desk.get_by_role("textbox", name="券码").fill(code)
    await desk.get_by_role("button", name="查询").click()
    await expect(desk.get_by_text("已核销")).to_be_visible()
    await expect(desk.get_by_role("button", name="确认核销")).to_have_count(0)

    # The webhook endpoint: the delivery log shows the order pushed to the merchant's server, answered 200.
    await desk.get_by_role("menuitem", name="技术对接").click()
    await expect(desk.get_by_text(receiver.url)).to_be_visible()
    await desk.get_by_role("button", name="密钥与日志").click()
    await expect(desk.get_by_role("cell", name=re.compile("HTTP 200")).first).to_be_visible()
    old_secret = (await ops.get(f"/webhook-endpoints/{merchant.endpoint_id}/secrets")).json()[0]["secret"]
    await expect(desk.get_by_text(old_secret)).to_have_count(0)  # masked until asked for
    await shots(desk, "endpoint-with-its-secret-and-delivery-log")
    assert await _portal_violations(desk, axe) == []

    # Rotation, with the overlap explained in plain words, then the new secret shown once.
    await desk.get_by_role("button", name="轮换密钥").click()
    rotation = desk.get_by_role("dialog", name="轮换签名密钥")
    await expect(rotation).to_contain_text("过渡期内，每条推送同时带有旧密钥的签名")
    await rotation.get_by_text("24 小时（推荐）").click()
    await shots(desk, "rotation-explained")
    await rotation.get_by_role("button", name="轮换密钥").click()
    await desk.get_by_role("dialog", name="请确认").get_by_role("button", name="轮换密钥").click()
    shown = desk.get_by_role("dialog", name="新密钥已生成")
    await expect(shown).to_contain_text("过渡期内新旧密钥都能验证通过")
    new_secret = await shown.get_by_label("新签名密钥").input_value()
    assert new_secret.startswith("whsec_")
    assert new_secret != old_secret
    await shots(desk, "the-new-secret-shown-once")
    await shown.get_by_role("button", name="我已保存").click()
    await expect(desk.get_by_text(re.compile("旧密钥，.* 后失效"))).to_be_visible()
    await shots(desk, "both-secrets-in-force-during-the-overlap")

    in_force = (await ops.get(f"/webhook-endpoints/{merchant.endpoint_id}/secrets")).json()
    assert [s["secret"] for s in in_force] == [new_secret, old_secret]
    overlap_end = datetime.fromisoformat(in_force[1]["expires_at"])
    assert timedelta(hours=23) < overlap_end - datetime.now(UTC) <= timedelta(hours=24)

    # Users and keys are the admin's: the page opens for them.
    await desk.get_by_role("menuitem", name="员工与密钥").click()
    await expect(desk.get_by_role("cell", name="调度员")).to_be_visible()
    assert await _portal_violations(desk, axe) == []
