"""The customer manager's day on a phone: a star customer is due a visit; the manager records it and the
month's star-visit figure moves."""

import re
from typing import Any

import httpx
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect


async def test_manager_records_a_due_visit_and_sees_the_kpi_move(
    phone: Page, cheyou: Platform, staff: dict[str, httpx.AsyncClient], shots: Any, axe: Any
) -> None:
    manager = staff["manager1"]
    invite_code = (await manager.get("/managers/manager1")).json()["invite_code"]
    member = await cheyou.member(staff["ops1"], staff["reviewer1"], manager_code=invite_code)
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 900_000))  # three-star: visits are due

    async def planned() -> dict[str, Any] | None:
        plan = (await manager.get("/managers/manager1/visit-plan")).json()
        return next(
            (e for e in plan if e["member_id"] == member.member_id and e["tier"] == "three_star"), None
        )

    entry = await eventually(planned, within=30)
    assert entry["status"] in {"overdue", "due", "scheduled"}
    before = (await manager.get("/managers/manager1/kpis")).json()["star_visits_done"]

    # The manager signs in on the phone; the menu is a drawer.
    await phone.goto("/console/manager/kpis")
    await phone.get_by_label("用户名").fill("manager1")
    await phone.get_by_label("密码").fill("cheyou-demo-2026")
    await phone.get_by_role("button", name="登录").click()
    await expect(phone.get_by_test_id("star-visits-done")).to_have_text(str(before))
    await shots(phone, "kpis-before")
    assert await axe(phone) == []
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen

    await phone.get_by_role("button", name="打开菜单").click()
    await phone.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="拜访计划").click()
    await expect(phone).to_have_url(re.compile(r"/console/visits$"))
    # The drawer slides away before the page is looked at (on a loaded machine it is still half there).
    await expect(phone.locator(".el-drawer")).to_be_hidden()
    card = phone.locator(f'[data-member-id="{member.member_id}"]')
    await expect(card).to_contain_text("三星会员")
    await expect(card).to_contain_text("今年已拜访 0/3 次")
    await expect(phone.get_by_test_id("this-week")).to_be_visible()
    await shots(phone, "visit-plan")
    assert await axe(phone) == []

    # Record the visit: a time in the future is refused before anything is sent.
    await card.get_by_role("button", name=re.compile("记录拜访")).click()
    dialog = phone.get_by_role("dialog", name="记录拜访")
    await expect(dialog.get_by_test_id("visit-who")).to_contain_text("三星会员")
    await dialog.get_by_role("radio", name="上门").check(force=True)
    await dialog.get_by_label("拜访记录").fill("上门拜访，介绍三星会员的免费洗车和代驾特权")
    await shots(phone, "record-visit")
    await dialog.get_by_role("button", name="保存").click()
    await expect(phone.get_by_text("拜访已记录")).to_be_visible()
    await expect(card).to_contain_text("今年已拜访 1/3 次")
    await shots(phone, "visit-recorded")

    visits = (await manager.get("/visits", params={"member_id": member.member_id})).json()["items"]
    assert [(v["kind"], v["channel"]) for v in visits] == [("star_visit", "in_person")]

    # The month's figure moved by one.
    await phone.get_by_role("button", name="打开菜单").click()
    await phone.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="我的业绩").click()
    await expect(phone.get_by_test_id("star-visits-done")).to_have_text(str(before + 1))
    await shots(phone, "kpis-after")
