"""The console's frame: a role sees only its menu and never another role's page; a session that ends comes
back to the same page after signing in; failed sign-ins lock an account until it waits or an admin unlocks
it; the admin opens accounts with a role."""

import re
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect


async def _sign_in(page: Page, username: str, password: str = "cheyou-demo-2026") -> None:
    await page.get_by_label("用户名", exact=True).fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()


async def _sign_out(page: Page) -> None:
    await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(re.compile(r"/console/sign-in"))


async def test_a_reviewer_opening_an_ops_page_is_not_allowed(desk: Page, shots: Any, axe: Any) -> None:
    await desk.goto("/console/")
    await _sign_in(desk, "reviewer1")
    menu = desk.get_by_role("navigation", name="主菜单")
    await expect(menu.get_by_role("menuitem", name="入会审核")).to_be_visible()
    await expect(menu.get_by_role("menuitem")).to_have_count(3)  # home, the queue, the figures
    await shots(desk, "reviewer-menu")
    assert await axe(desk) == []

    await desk.goto("/console/tiers")
    await expect(desk.get_by_text("您的角色无权访问此页面")).to_be_visible()
    await expect(desk.get_by_text("/tiers")).to_be_visible()
    await shots(desk, "not-allowed")
    await desk.goto("/console/staff")
    await expect(desk.get_by_text("您的角色无权访问此页面")).to_be_visible()
    await expect(desk.get_by_role("table")).to_have_count(0)  # never data


async def test_an_expired_session_returns_to_the_same_page_after_signing_in(desk: Page, shots: Any) -> None:
    await desk.goto("/console/verification/figures")
    await _sign_in(desk, "reviewer2")
    await expect(desk.get_by_role("heading", name="审核量统计")).to_be_visible()

    # The session ends while the page is open (both tokens no longer accepted): the next request finds out.
    await desk.evaluate(
        """() => {
          const key = 'cheyou.console.session'
          const session = JSON.parse(localStorage.getItem(key))
          session.accessToken = 'expired'
          session.refreshToken = 'revoked'
          localStorage.setItem(key, JSON.stringify(session))
        }"""
    )
    await desk.reload()
    await expect(desk).to_have_url(re.compile(r"/console/sign-in\?"))
    await expect(desk.get_by_text("登录已过期，请重新登录，之后将回到刚才的页面")).to_be_visible()
    await shots(desk, "expired")
    await _sign_in(desk, "reviewer2")
    await expect(desk).to_have_url(re.compile(r"/console/verification/figures$"))
    await expect(desk.get_by_role("heading", name="审核量统计")).to_be_visible()
    await shots(desk, "back-on-the-same-page")


async def test_admin_opens_an_account_and_unlocks_it_after_failed_sign_ins(
    desk: Page, staff: dict[str, httpx.AsyncClient], shots: Any, axe: Any
) -> None:
    username = f"rev-{uuid.uuid4().hex[:8]}"
    password = "Cheyou-e2e-2026!"

    # The admin opens a reviewer's account; the form checks the password before sending.
    await desk.goto("/console/staff")
    await _sign_in(desk, "admin", "cheyou-admin-2026")
    await expect(desk.get_by_role("heading", name="员工账号")).to_be_visible()
    assert await axe(desk) == []
    await desk.get_by_role("button", name="新建账号").click()
    dialog = desk.get_by_role("dialog", name="新建账号")
    await dialog.get_by_label("用户名").fill(username)
    await dialog.get_by_label("姓名").fill("审核员三")
    await dialog.get_by_role("radio", name="审核员").check(force=True)
    await dialog.get_by_label("初始密码").fill("short")
    await dialog.get_by_role("button", name="新建账号").click()
    await expect(dialog.get_by_text("密码至少 10 位")).to_be_visible()
    await dialog.get_by_label("初始密码").fill(password)
    await dialog.get_by_role("button", name="新建账号").click()
    await expect(desk.get_by_text(f"已创建账号 {username}")).to_be_visible()
    row = desk.get_by_role("row").filter(has_text=username)
    await expect(row).to_contain_text("审核员")
    await shots(desk, "account-opened")
    await _sign_out(desk)

    # Five wrong passwords; the next attempt, even with the right password, finds the account locked and
    # the console says for how long.
    for _ in range(5):
        async with desk.expect_response("**/api/v1/auth/staff/login"):
            await _sign_in(desk, username, "wrong-password-1")
    await expect(desk.get_by_role("tabpanel", name="员工登录").get_by_role("alert")).to_contain_text(
        "用户名或密码错误"
    )
    async with desk.expect_response("**/api/v1/auth/staff/login"):
        await _sign_in(desk, username, password)
    await expect(desk.get_by_role("tabpanel", name="员工登录").get_by_role("alert")).to_contain_text(
        "账号已锁定"
    )
    await expect(desk.get_by_role("tabpanel", name="员工登录").get_by_role("alert")).to_contain_text(
        "15 分钟"
    )
    await shots(desk, "locked")
    assert await axe(desk) == []

    # The admin unlocks it; the reviewer signs in.
    await _sign_in(desk, "admin", "cheyou-admin-2026")
    await desk.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="员工账号").click()
    await desk.get_by_role("row").filter(has_text=username).get_by_role("button", name="解除锁定").click()
    await expect(desk.get_by_text(f"已解除 {username} 的登录锁定")).to_be_visible()
    await _sign_out(desk)
    await _sign_in(desk, username, password)
    await expect(desk.get_by_test_id("who")).to_contain_text(username)
    await expect(desk.get_by_test_id("who")).to_contain_text("审核员")
    await shots(desk, "signed-in-after-unlock")

    # Disabled, the account cannot sign in again (the admin confirms first).
    await _sign_out(desk)
    await _sign_in(desk, "admin", "cheyou-admin-2026")
    await desk.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="员工账号").click()
    await desk.get_by_role("row").filter(has_text=username).get_by_role("button", name="停用").click()
    await desk.get_by_role("dialog").get_by_role("button", name="停用").click()
    await expect(desk.get_by_role("row").filter(has_text=username)).to_contain_text("已停用")
    listed = (await staff["admin"].get("/auth/staff", params={"limit": 100})).json()["items"]
    assert next(a for a in listed if a["username"] == username)["disabled"] is True
