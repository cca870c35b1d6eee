"""Ops at the console's payment desks (issue 22): an ordinary member pays for a car wash (in a city with
no car wash yet, so it is refunded); ops reconcile today against WeChat Pay's bills and see the day clean,
the payment and its refund matched, then reconcile a past day
on whose bill WeChat Pay shows a payment and a refund we never had, and read each difference in words,
with the amounts in yuan, and the CSV. Ops put a points + cash reward on sale and see its price in the
mall's table. Everything asserted is what ops see in the browser.

The planted lines go on a day two days back, never today: other journeys and flows reconcile today and
expect it clean."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cheyou_demo import Member, Platform
from cheyou_devinfra.platform import FAKES
from cheyou_kit.testing import eventually
from playwright.async_api import Locator, Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 龙岩 (Longyan): no car wash serves it in any test, so this order never reaches another test's merchant.
CITY = "350800"


def wechatpay() -> str:
    return next(fake for fake in FAKES if fake.name == "wechatpay").url


async def _sign_in(page: Page, username: str, password: str = "cheyou-demo-2026") -> None:
    await page.goto("/console/sign-in")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()
    await page.wait_for_url(lambda url: "sign-in" not in url)


async def _settled(page: Page) -> None:
    """No loading mask, no animation under way, the pointer off the page (hover shades are not the page's
    palette): what a screenshot shows is what ops see."""
    await expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
    await page.mouse.move(0, 0)
    await page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter((a) => a.effect?.getTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => null)))"""
    )


async def _member_pays_for_a_car_wash(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> str:
    """An ordinary member books the half-price car wash and pays on WeChat Pay's cashier page (what a
    phone browser does, through the API); the payment's out_trade_no once paid and refunded."""
    member: Member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 300_000))

    async def ordinary() -> bool | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return True if body.get("tier") == "ordinary" else None

    await eventually(ordinary, within=60)
    appointment = (datetime.now(SHANGHAI) + timedelta(days=1)).replace(
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
    started = await member.http.post("/payments", json={"order_id": order["id"], "channel": "h5"})
    assert started.status_code == 201, started.text
    h5 = httpx.URL(started.json()["h5_url"])
    async with httpx.AsyncClient(timeout=10) as browser:
        cashier = await browser.get(str(h5))
        assert "¥20.00" in cashier.text
        confirmed = await browser.post(
            str(h5.copy_with(query=None)),
            data={"prepay_id": h5.params["prepay_id"], "package": h5.params["package"], "redirect_url": ""},
        )
    assert confirmed.status_code == 200, confirmed.text

    # No car wash is contracted in 龙岩 yet: the order cannot be placed and the money goes back. Both the
    # payment and its refund are settled with WeChat Pay before ops look, so the day's lines are final.
    async def refunded() -> dict[str, Any] | None:
        body: dict[str, Any] = (await member.http.get(f"/payments/{started.json()['payment_id']}")).json()
        settled = body["paid_at"] and [r["status"] for r in body["refunds"]] == ["succeeded"]
        return body if settled else None

    payment = await eventually(refunded, within=90)
    return str(payment["out_trade_no"])


def _day_row(page: Page, day: str) -> Locator:
    """The list's line of a bill date (its first cell links to the day)."""
    return (
        page.get_by_test_id("reconciliations")
        .locator("tbody tr")
        .filter(has=page.get_by_role("link", name=day, exact=True))
    )


async def _reconcile(page: Page, day: str) -> None:
    picker = page.get_by_label("对账日期")
    await picker.fill(day)
    await picker.press("Enter")
    await page.get_by_role("button", name="立即对账").click()


async def test_ops_reconcile_a_day_of_car_wash_payments_and_read_a_planted_difference_in_words(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], desk: Page, shots: Shots, axe: Axe
) -> None:
    page = desk
    await _member_pays_for_a_car_wash(cheyou, staff)
    today = datetime.now(SHANGHAI).date()
    past = (today - timedelta(days=2)).isoformat()

    await _sign_in(page, "ops1")
    await page.get_by_role("menuitem", name="支付对账").click()
    await expect(page.get_by_role("heading", name="支付对账")).to_be_visible()
    await expect(page.get_by_label("对账日期")).to_have_value(today.isoformat())
    await _settled(page)
    await shots(page, "reconciliations")
    assert await axe(page) == []

    # Today: the member's car wash is on WeChat Pay's bill and ours alike.
    await page.get_by_role("button", name="立即对账").click()
    await page.wait_for_url(f"**/console/payments/reconciliations/{today.isoformat()}")
    await expect(page.get_by_role("heading", name=f"{today.isoformat()} 对账结果")).to_be_visible()
    await expect(page.get_by_test_id("day-status")).to_have_text("无差异")
    matched = int(await page.get_by_test_id("matched").inner_text())
    assert matched >= 2  # the member's payment and refund, and any other journey's of today
    await expect(page.get_by_test_id("clean")).to_contain_text(f"核平 {matched} 笔")
    await expect(page.get_by_test_id("day-summary")).to_contain_text("ops1")
    await _settled(page)
    await shots(page, "today-clean")
    assert await axe(page) == []

    # A day already reconciled runs again only once ops confirm.
    await page.get_by_role("button", name="重新对账").click()
    confirm = page.get_by_role("dialog").filter(has_text="重新对账会按微信支付当前的账单重新核对")
    await expect(confirm).to_contain_text(f"{today.isoformat()} 已于")
    await expect(confirm).to_contain_text("无差异")
    await _settled(page)
    await shots(page, "confirm-again")
    await confirm.get_by_role("button", name="取消").click()
    await expect(confirm).to_be_hidden()

    # Two days back, WeChat Pay's bill shows a ¥19.90 payment and a ¥5.00 refund we never had.
    planted = f"CYX{random.randrange(10**9, 10**10)}"
    async with httpx.AsyncClient(timeout=10) as fake:
        for line in (
            {"kind": "trade", "out_trade_no": planted, "amount_fen": 1990, "day": past},
            {
                "kind": "refund",
                "out_trade_no": planted,
                "out_refund_no": f"{planted}R",
                "amount_fen": 500,
                "day": past,
            },
        ):
            planting = await fake.post(f"{wechatpay()}/_fake/bills/extra", json=line)
            assert planting.status_code == 200, planting.text

    await page.get_by_role("link", name="返回支付对账").click()
    await _reconcile(page, past)
    await page.wait_for_url(f"**/console/payments/reconciliations/{past}")
    await expect(page.get_by_test_id("day-status")).to_have_text("有差异 2 笔")
    table = page.get_by_test_id("differences-table")
    trade = table.locator("tbody tr", has_text="微信支付有此笔支付，我方无记录")
    await expect(trade).to_contain_text(planted)
    await expect(trade).to_contain_text("¥19.90")
    await expect(trade).to_contain_text("无记录")
    refund = table.locator("tbody tr", has_text="微信支付有此笔退款，我方无记录")
    await expect(refund).to_contain_text(f"{planted}R")
    await expect(refund).to_contain_text("¥5.00")
    await _settled(page)
    await shots(page, "past-day-differences")
    assert await axe(page) == []

    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="导出 CSV").click()
    download = await downloading.value
    assert download.suggested_filename == f"reconciliation-{past}.csv"
    csv = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8-sig")
    assert f"{past},微信支付有此笔支付，我方无记录,{planted},,,19.90," in csv
    assert f"{past},微信支付有此笔退款，我方无记录,{planted},{planted}R,,5.00," in csv

    # Both days in the list, each with its result.
    await page.get_by_role("link", name="返回支付对账").click()
    await expect(_day_row(page, today.isoformat())).to_contain_text("无差异")
    await expect(_day_row(page, past)).to_contain_text("有差异 2 笔")
    await _settled(page)
    await shots(page, "both-days")
    assert await axe(page) == []

    # Reconciling the past day again from the list asks first, then shows the same differences.
    await _reconcile(page, past)
    confirm = page.get_by_role("dialog").filter(has_text="重新对账会按微信支付当前的账单重新核对")
    await expect(confirm).to_contain_text("有差异 2 笔")
    await confirm.get_by_role("button", name="重新对账").click()
    await page.wait_for_url(f"**/console/payments/reconciliations/{past}")
    await expect(page.get_by_test_id("day-status")).to_have_text("有差异 2 笔")

    # A day nobody reconciled says so, and offers to.
    never = (today - timedelta(days=400)).isoformat()
    await page.goto(f"/console/payments/reconciliations/{never}")
    await expect(page.get_by_text(f"{never} 还没有对账。")).to_be_visible()
    await _settled(page)
    await shots(page, "not-reconciled")
    assert await axe(page) == []

    # A day still to come (a link typed by hand): there is no bill for it yet, and ops read why in words.
    tomorrow = (today + timedelta(days=1)).isoformat()
    await page.goto(f"/console/payments/reconciliations/{tomorrow}")
    await page.get_by_role("button", name="立即对账").click()
    problem = page.get_by_test_id("problem")
    await expect(problem).to_contain_text("这一天还没到（北京时间），微信支付还没有它的对账单")
    await _settled(page)
    await shots(page, "bill-refused")
    assert await axe(page) == []


async def test_ops_put_a_points_and_cash_reward_on_sale(
    staff: dict[str, httpx.AsyncClient], desk: Page, shots: Shots, axe: Axe
) -> None:
    page = desk
    name = f"精洗打蜡套餐 {random.randrange(1000, 10000)}"
    await _sign_in(page, "ops1")
    await page.get_by_role("menuitem", name="积分商城").click()
    await page.get_by_role("button", name="新建商品").click()
    dialog = page.get_by_role("dialog", name="新建商品")
    await dialog.get_by_label("名称").fill(name)
    await dialog.get_by_text("服务", exact=True).click()
    await dialog.get_by_text("普通会员", exact=True).click()
    await dialog.get_by_label("普通会员所需积分").fill("800")
    await dialog.get_by_label("库存").fill("30")

    # A cash part that is not an amount in yuan is refused in words before anything is sent.
    cash = dialog.get_by_label("现金部分（元，选填）")
    await cash.fill("29.999")
    await dialog.get_by_role("button", name="创建商品").click()
    await expect(dialog.get_by_text("现金部分须为金额，最多两位小数，如 9.90")).to_be_visible()
    await _settled(page)
    await shots(page, "cash-refused")
    assert await axe(page) == []

    await cash.fill("29.9")
    await expect(dialog.get_by_text("现金部分须为金额，最多两位小数，如 9.90")).to_be_hidden()
    await shots(page, "cash-filled")
    await dialog.get_by_role("button", name="创建商品").click()
    await expect(dialog).to_be_hidden()

    row = page.get_by_test_id("rewards").locator("tbody tr", has_text=name)
    await expect(row.get_by_test_id("price")).to_have_text("普通会员 800 分 + ¥29.90")
    await expect(row).to_contain_text("30 / 30")
    await _settled(page)
    await shots(page, "reward-on-sale")
    assert await axe(page) == []

    rewards = (await staff["ops1"].get("/rewards", params={"limit": 200})).json()["items"]
    (reward,) = [r for r in rewards if r["name"] == name]
    assert (reward["cash_price_fen"], reward["tier_prices"]) == (2990, {"ordinary": 800})
