"""Ops at the console's mall and publishing desks: a flash sale scheduled for tomorrow morning (Beijing time)
for five-star members; a message template written by ops and approved by another staff account, never by
its author. Everything asserted is what the staff see in the browser, plus the service's refusal of an
author approving their own template."""

import random
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _sign_in(page: Page, username: str, password: str = "cheyou-demo-2026") -> None:
    await page.goto("/console/sign-in")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()
    await page.wait_for_url(lambda url: "sign-in" not in url)


async def _sign_out(page: Page) -> None:
    await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(re.compile(r"/console/sign-in"))


async def _page_violations(page: Page, axe: Axe) -> list[dict[str, Any]]:
    """axe's serious violations inside the ops page (``.ops-page``, dialogs included); the frame has its
    own tests. The pointer is moved off the page first: Element Plus's hover shades are not the ops pages'
    darker palette, and which button a still pointer rests on depends on the layout of the moment."""
    await page.mouse.move(0, 0)
    mine = []
    for violation in await axe(page):
        nodes = [
            target
            for target in violation["nodes"]
            if await page.evaluate("t => !!document.querySelector(t[0])?.closest('.ops-page')", target)
        ]
        if nodes:
            mine.append({**violation, "nodes": nodes})
    return mine


async def test_ops_schedules_a_flash_sale_for_five_star_members_tomorrow_morning(
    staff: dict[str, httpx.AsyncClient], desk: Page, shots: Shots, axe: Axe
) -> None:
    page = desk
    name = f"年末秒杀：车载香薰礼盒 {random.randrange(1000, 10000)}"
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
    await _sign_in(page, "ops1")
    await page.get_by_role("menuitem", name="积分商城").click()
    await page.get_by_role("tab", name="秒杀").click()
    await expect(page.get_by_role("button", name="新建秒杀")).to_be_visible()
    await shots(page, "flash-sales")
    assert await _page_violations(page, axe) == []

    # Nothing is sent before the form is complete.
    await page.get_by_role("button", name="新建秒杀").click()
    dialog = page.get_by_role("dialog", name="新建秒杀")
    await dialog.get_by_role("button", name="创建秒杀").click()
    await expect(dialog.get_by_text("请填写名称")).to_be_visible()
    await expect(dialog.get_by_text("至少勾选一个可兑换的等级")).to_be_visible()
    await expect(dialog.get_by_text("请填写开抢时间")).to_be_visible()
    await shots(page, "refused-incomplete")

    await dialog.get_by_label("名称").fill(name)
    await dialog.get_by_text("实物", exact=True).click()
    await dialog.get_by_text("五星会员", exact=True).click()
    await dialog.get_by_label("五星会员所需积分").fill("500")
    await dialog.get_by_label("库存").fill("10")
    await dialog.get_by_label("开抢时间（北京时间）").fill(f"{tomorrow}T10:00")
    await dialog.get_by_label("结束时间（北京时间）").fill(f"{tomorrow}T09:00")
    await dialog.get_by_role("button", name="创建秒杀").click()
    await expect(dialog.get_by_text("结束时间须晚于开始时间")).to_be_visible()
    await dialog.get_by_label("结束时间（北京时间）").fill(f"{tomorrow}T12:00")
    await shots(page, "flash-sale-filled")
    assert await _page_violations(page, axe) == []
    await dialog.get_by_role("button", name="创建秒杀").click()

    # Scheduled: tomorrow 10:00–12:00 Beijing time, five-star members, 10 in stock, one each.
    row = page.get_by_test_id("flash-sales").locator("tbody tr", has_text=name)
    await expect(row).to_contain_text("待开抢")
    await expect(row).to_contain_text(f"{tomorrow} 10:00 – {tomorrow} 12:00")
    await expect(row).to_contain_text("五星会员 500 分")
    await expect(row).to_contain_text("10 / 10")
    await expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
    await shots(page, "flash-sale-scheduled")
    assert await _page_violations(page, axe) == []

    sales = (await staff["ops1"].get("/flash-sales", params={"limit": 200})).json()["items"]
    (sale,) = [s for s in sales if s["name"] == name]
    assert datetime.fromisoformat(sale["starts_at"]) == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=SHANGHAI
    )
    assert sale["tier_prices"] == {"five_star": 500}
    assert sale["per_member_limit"] == 1


async def test_ops_writes_a_template_that_only_another_staff_member_approves(
    staff: dict[str, httpx.AsyncClient], desk: Page, shots: Shots, axe: Axe
) -> None:
    page = desk
    code = f"renewal_journey_{random.randrange(10_000, 100_000)}"
    await _sign_in(page, "ops1")
    await page.get_by_role("menuitem", name="消息模板").click()
    await expect(page.get_by_text("作者本人不能审核自己的模板")).to_be_visible()
    await shots(page, "templates")
    assert await _page_violations(page, axe) == []

    await page.get_by_role("button", name="新建模板").click()
    dialog = page.get_by_role("dialog", name="新建模板")
    await dialog.get_by_label("模板代码").fill(code)
    await dialog.get_by_label("标题").fill("续保提醒")
    await dialog.get_by_label("正文").fill("{name}，您的保单 {policy_no} 将于 {end_date} 到期，请及时续保。")
    await dialog.get_by_role("button", name="保存为草稿").click()
    await expect(dialog.get_by_text("使用了未声明的变量：name、policy_no、end_date")).to_be_visible()
    await shots(page, "refused-undeclared-variables")
    await dialog.get_by_role("button", name="声明正文中的变量：name、policy_no、end_date").click()
    await dialog.get_by_label("第 3 个变量类型").click(force=True)
    await page.get_by_role("option", name="日期").click()
    await shots(page, "template-filled")
    assert await _page_violations(page, axe) == []
    await dialog.get_by_role("button", name="保存为草稿").click()

    # The draft: its author may preview it, but not approve it.
    detail = page.get_by_test_id("template-detail")
    await expect(detail.get_by_test_id("template-status")).to_have_text("待审核")
    await expect(detail.get_by_test_id("own-template")).to_have_text(
        "您是这个模板的作者，不能审核自己的模板，请由其他工作人员审核。"
    )
    await expect(detail.get_by_role("button", name="审核通过")).to_be_disabled()
    await detail.get_by_label("name（文本）").fill("张先生")
    await detail.get_by_label("policy_no（文本）").fill("PDAA2026350100001")
    await detail.get_by_label("end_date（日期）").fill("2027-01-15")
    await detail.get_by_role("button", name="生成预览").click()
    await expect(detail.get_by_test_id("template-preview")).to_contain_text(
        "张先生，您的保单 PDAA2026350100001 将于"
    )
    await shots(page, "author-previews-cannot-approve")
    assert await _page_violations(page, axe) == []

    # The service holds the rule too: the author's own approval is refused and changes nothing.
    (template,) = (await staff["ops1"].get("/templates", params={"code": code})).json()["items"]
    refused = await staff["ops1"].post(f"/templates/{template['id']}/approve")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/template-self-approval")
    assert (await staff["ops1"].get(f"/templates/{template['id']}")).json()["status"] == "draft"

    # Another staff account (admin) approves it.
    await page.keyboard.press("Escape")
    await _sign_out(page)
    await _sign_in(page, "admin", "cheyou-admin-2026")
    await page.get_by_role("menuitem", name="消息模板").click()
    await page.get_by_label("模板代码").fill(code)
    await page.get_by_role("button", name="搜索").click()
    rows = page.get_by_test_id("templates").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("待审核")
    await expect(rows.first).to_contain_text("staff:ops1")
    await rows.first.get_by_role("button", name=code).click()
    detail = page.get_by_test_id("template-detail")
    await expect(detail.get_by_test_id("own-template")).to_have_count(0)
    await detail.get_by_role("button", name="审核通过").click()
    confirm = page.get_by_role("dialog", name="请确认")
    await expect(confirm).to_contain_text(f"审核通过 {code} 第 1 版？")
    await shots(page, "admin-confirms-approval")
    await confirm.get_by_role("button", name="审核通过").click()
    await expect(detail.get_by_test_id("template-status")).to_have_text("已审核")
    await expect(rows.first).to_contain_text("已审核")
    await expect(rows.first).to_contain_text("staff:admin")
    await shots(page, "approved-by-admin")
    assert await _page_violations(page, axe) == []
    approved = (await staff["admin"].get(f"/templates/{template['id']}")).json()
    assert (approved["status"], approved["created_by"], approved["approved_by"]) == (
        "approved",
        "staff:ops1",
        "staff:admin",
    )
