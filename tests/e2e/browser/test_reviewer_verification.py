"""The reviewer's day in the console: sign in, take the next application, call the applicant back, approve."""

import re
from typing import Any

import httpx
from cheyou_demo import Platform, decide
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect


async def _empty_the_queue(reviewer: httpx.AsyncClient) -> None:
    """Applications left by earlier tests are decided first: the queue is first come, first served."""
    for _ in range(200):
        claimed = await reviewer.post("/applications/claim")
        if claimed.status_code == 404:
            return
        assert claimed.status_code == 200, claimed.text
        task = claimed.json()["task_id"]
        await reviewer.post(f"/applications/{task}/callbacks", json={"outcome": "reached"})
        assert (await decide(reviewer, task)).status_code == 200  # a contested one is rejected
    raise AssertionError("the verification queue never emptied")


async def test_reviewer_verifies_an_application_after_a_callback(
    desk: Page, cheyou: Platform, staff: dict[str, httpx.AsyncClient], shots: Any, axe: Any
) -> None:
    await _empty_the_queue(staff["reviewer2"])
    applicant = await cheyou.register(staff["ops1"])

    # The reviewer opens the queue; the console asks who they are first and comes back.
    await desk.goto("/console/verification")
    await expect(desk.get_by_role("heading", name="登录工作台")).to_be_visible()
    await shots(desk, "sign-in")
    await desk.get_by_label("用户名").fill("reviewer1")
    await desk.get_by_label("密码").fill("cheyou-demo-2026")
    await desk.get_by_role("button", name="登录").click()
    await expect(desk).to_have_url(re.compile(r"/console/verification$"))
    await expect(desk.get_by_role("heading", name="入会审核")).to_be_visible()
    menu = desk.get_by_role("navigation", name="主菜单")
    await expect(menu.get_by_role("menuitem", name="入会审核")).to_have_attribute("aria-current", "page")
    await shots(desk, "queue")
    assert await axe(desk) == []

    # Take the next application: the applicant's real name and number, beside the policy evidence.
    await desk.get_by_role("button", name="领取下一份申请").click()
    await expect(desk).to_have_url(re.compile(r"/verification/tasks/"))
    await expect(desk.get_by_test_id("applicant-name")).to_have_text(applicant.name)
    await expect(desk.get_by_text(applicant.id_number)).to_be_visible()
    await expect(desk.get_by_text("保单与核心系统记录")).to_be_visible()
    approve = desk.get_by_role("button", name="通过", exact=True)
    await expect(approve).to_be_disabled()  # nobody has reached the applicant yet
    await shots(desk, "application-beside-the-evidence")
    assert await axe(desk) == []

    # First call: nobody answers (a note is required then); second call: reached.
    await desk.get_by_role("radio", name="无人接听").check(force=True)
    await desk.get_by_role("button", name="保存回访记录").click()
    await expect(desk.get_by_text("未核实一致时请写明情况")).to_be_visible()
    await desk.get_by_label("备注").fill("第一次拨打无人接听")
    await desk.get_by_role("button", name="保存回访记录").click()
    await expect(desk.get_by_text("回访记录（1）")).to_be_visible()
    await expect(approve).to_be_disabled()
    await desk.get_by_role("radio", name="已接通，核实一致").check(force=True)
    await desk.get_by_label("备注").fill("本人接听，姓名、证件号、车牌与申请一致")
    await desk.get_by_role("button", name="保存回访记录").click()
    await expect(desk.get_by_text("回访记录（2）")).to_be_visible()
    await expect(desk.get_by_text("本人接听，姓名、证件号、车牌与申请一致")).to_be_visible()
    await shots(desk, "callbacks-logged")

    # Approve, confirming; the application is approved and the member verified.
    await approve.click()
    dialog = desk.get_by_role("dialog")
    await expect(dialog).to_contain_text("确认")
    await shots(desk, "confirm-approval")
    await dialog.get_by_role("button", name="通过").click()
    await expect(desk.get_by_test_id("task-status")).to_have_text("已通过")
    await expect(desk.get_by_text("reviewer1 于")).to_be_visible()
    await shots(desk, "approved")

    async def verified() -> dict[str, Any] | None:
        member = (await staff["ops1"].get(f"/members/{applicant.member_id}")).json()
        return member if member["status"] == "verified" else None

    assert (await eventually(verified, within=20))["status"] == "verified"

    # The throughput figures count the two callbacks of reviewer1 today.
    await menu.get_by_role("menuitem", name="审核量统计").click()
    await expect(desk.get_by_role("heading", name="审核量统计")).to_be_visible()
    row = desk.get_by_role("row").filter(has_text="reviewer1")
    await expect(row.first).to_be_visible()
    await shots(desk, "figures")
    assert await axe(desk) == []
