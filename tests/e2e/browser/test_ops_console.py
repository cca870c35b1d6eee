"""Ops at the console: a segmented campaign built, previewed, watched to the end and found in the list; the
tier rules edited with the dry run's figures, and the re-evaluation run that moves a member. Members are set
up through the API as in the flows (see tests/e2e/test_flow_campaign.py); everything asserted is what ops
sees in the browser."""

import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from cheyou_demo import Member, Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]


async def _member(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], region: str, premium_fen: int, interests: list[str]
) -> Member:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"], region_code=region, interests=interests)
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, premium_fen))
    return member


async def _sign_in_as_ops(page: Page) -> None:
    await page.goto("/console/sign-in")
    await page.get_by_label("用户名").fill("ops1")
    await page.get_by_label("密码").fill("cheyou-demo-2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "sign-in" not in url)


async def _page_violations(page: Page, axe: Axe) -> list[dict[str, Any]]:
    """axe's serious violations inside the ops page itself (``.ops-page``); the console frame around it
    (header, menu) is the shell's and has tests of its own."""
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


async def test_ops_builds_a_campaign_for_three_star_self_drivers_previews_it_and_watches_it_complete(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], desk: Page, shots: Shots, axe: Axe
) -> None:
    ops = staff["ops1"]
    region = f"6591{random.randrange(10, 100)}"  # a county no other test puts members in
    # Two three-star self-drivers are the audience; a three-star photographer and an ordinary self-driver
    # in the same county are not.
    audience = [await _member(cheyou, staff, region, 800_000, ["self_drive", "travel"]) for _ in range(2)]
    await _member(cheyou, staff, region, 800_000, ["photography"])
    await _member(cheyou, staff, region, 400_000, ["self_drive"])
    segment = {"tiers": ["three_star"], "interests": ["self_drive"], "region_codes": [region]}

    async def audience_known() -> int | None:  # notify-svc learns tiers and interests from member events
        for member in audience:
            seen = await ops.get(f"/audience/{member.member_id}")
            if seen.status_code != 200 or seen.json().get("tier") != "three_star":
                return None
        size: int = (await ops.post("/campaigns/audience-preview", json={"segment": segment})).json()["size"]
        return size if size == 2 else None

    assert await eventually(audience_known, within=60) == 2

    page = desk
    await _sign_in_as_ops(page)
    await page.get_by_role("menuitem", name="营销推送").click()
    await expect(page.get_by_role("heading", name="推送对象")).to_be_visible()
    await shots(page, "campaign-form")
    assert await _page_violations(page, axe) == []

    # The segment: three-star members interested in self-drive tours, in the county.
    await page.get_by_text("三星会员", exact=True).click()
    await expect(page.get_by_role("checkbox", name="三星会员")).to_be_checked()
    await page.get_by_role("combobox", name="兴趣").click(force=True)
    await page.get_by_role("option", name="自驾游").click()
    await page.get_by_role("heading", name="推送对象").click()  # closes the list
    await page.get_by_role("combobox", name="地区").click(force=True)
    await page.get_by_role("combobox", name="地区").fill(region)
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="推送对象").click()
    await page.get_by_role("button", name="预览受众").click()
    await expect(page.get_by_test_id("audience-size")).to_have_text("该分群共覆盖 2 位会员")
    await shots(page, "audience-previewed")

    # What to send: nothing is sent before the form is complete.
    await page.get_by_role("button", name="创建推送").click()
    await expect(page.get_by_text("请填写推送名称")).to_be_visible()
    await expect(page.get_by_text("请选择消息模板")).to_be_visible()
    await shots(page, "refused-incomplete")
    await page.get_by_label("推送名称").fill("秋季自驾游报名")
    await page.get_by_role("combobox", name="消息模板").click(force=True)
    await page.get_by_role("option", name="campaign_generic").click()
    await page.get_by_label("title（string）").fill("秋季自驾游")
    await page.get_by_label("content（string）").fill("武夷山两日游，名额有限")
    await shots(page, "message-filled")
    await page.get_by_role("button", name="创建推送").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("将向 2 位会员推送“秋季自驾游报名”")
    await shots(page, "confirm")
    await dialog.get_by_role("button", name="创建推送").click()

    # Live progress until the campaign has queued everyone (marketing waits out the quiet hours).
    await expect(page.get_by_role("heading", name="秋季自驾游报名")).to_be_visible()
    await expect(page.get_by_test_id("campaign-status")).to_have_text("已完成", timeout=60_000)
    progress = page.get_by_test_id("campaign-progress")
    await expect(progress.locator('[data-key="audience"] dd')).to_have_text("2")
    await expect(progress.locator('[data-key="targeted"] dd')).to_have_text("2")
    await expect(progress.locator('[data-key="opted_out"] dd')).to_have_text("0")
    await expect(progress.locator('[data-key="failed"] dd')).to_have_text("0")
    await shots(page, "campaign-completed")
    assert await _page_violations(page, axe) == []

    # The campaigns page lists it (from notify-svc, not from this browser), newest first, completed.
    await page.get_by_role("menuitem", name="营销推送").click()
    listed = page.get_by_test_id("campaigns").locator("tbody tr").first
    await expect(listed).to_contain_text("秋季自驾游报名")
    await expect(listed).to_contain_text("已完成")
    await expect(listed.locator('[data-key="audience"]')).to_have_text("2")
    await expect(listed.locator('[data-key="targeted"]')).to_have_text("2")
    await expect(listed.locator('[data-key="failed"]')).to_have_text("0")
    await shots(page, "campaign-listed")
    await listed.get_by_role("link", name="秋季自驾游报名").click()
    await expect(page.get_by_role("heading", name="秋季自驾游报名")).to_be_visible()
    for member in audience:
        inbox = (await member.http.get(f"/inbox/{member.member_id}", params={"limit": 50})).json()
        assert [i["title"] for i in inbox["items"] if i["template_code"] == "campaign_generic"] == [
            "秋季自驾游"
        ]


async def test_ops_lowers_the_four_star_threshold_and_watches_the_re_evaluation_move_a_member(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], desk: Page, shots: Shots, axe: Axe
) -> None:
    ops = staff["ops1"]
    region = f"6592{random.randrange(10, 100)}"
    # What the dry run of the rules ops will write (four stars from 11,000 yuan) says before our member.
    in_force = (await ops.get("/tier-rules")).json()
    lowered = {
        **in_force["rules"],
        "thresholds_fen": {**in_force["rules"]["thresholds_fen"], "four_star": 1_100_000},
    }
    before = (await ops.post("/tier-rules/dry-run", json={"rules": lowered, "note": "baseline"})).json()
    three_to_four = sum(
        m["members"] for m in before["moves"] if (m["from_tier"], m["to_tier"]) == ("three_star", "four_star")
    )
    # 11,500 yuan of premium: three-star under rules that want 12,000 for four stars.
    member = await _member(cheyou, staff, region, 1_150_000, ["cars"])

    async def three_star() -> dict[str, Any] | None:
        status: dict[str, Any] = (await ops.get(f"/members/{member.member_id}/tier")).json()
        return status if status["tier"] == "three_star" else None

    contribution = (await eventually(three_star, within=30))["contribution_fen"]
    original = (await ops.get("/tier-rules")).json()
    assert 1_100_000 <= contribution < original["rules"]["thresholds_fen"]["four_star"]
    try:
        page = desk
        await _sign_in_as_ops(page)
        await page.get_by_role("menuitem", name="等级规则").click()
        version = original["version"]
        await expect(page.get_by_test_id("rules-in-force")).to_have_text(f"现行规则：第 {version} 版")
        await shots(page, "rules-in-force")
        assert await _page_violations(page, axe) == []

        await page.get_by_role("button", name="修改规则").click()
        threshold = page.get_by_label("四星会员门槛（元）")
        await threshold.fill("11000")
        await threshold.press("Tab")
        changes = page.get_by_test_id("rule-changes")
        await expect(changes).to_contain_text("四星会员门槛（元）")
        await expect(changes).to_contain_text("12000")
        await expect(changes).to_contain_text("11000")
        await expect(changes).to_contain_text("降低")
        await shots(page, "changes-listed")

        # The dry run: our member is among those moving from three to four stars; nobody moves down.
        await page.get_by_role("button", name="试算影响").click()
        await expect(page.get_by_test_id("dry-run-summary")).to_contain_text(
            f"升级 {before['upgrades'] + 1} 人"
        )
        await expect(page.get_by_test_id("dry-run-summary")).to_contain_text(
            f"降级 {before['downgrades']} 人"
        )
        moving_up = page.get_by_test_id("dry-run-up").locator('[data-move="three_star-four_star"]')
        await expect(moving_up).to_have_text(f"三星会员 → 四星会员：{three_to_four + 1} 人")
        matrix = page.get_by_test_id("dry-run-matrix")
        await expect(matrix.locator('tr[data-from="three_star"] td[data-to="four_star"]')).to_have_text(
            str(three_to_four + 1)
        )
        await shots(page, "dry-run")
        assert await _page_violations(page, axe) == []

        # A version needs a reason; thresholds must keep rising: refused before anything is sent.
        await page.get_by_role("button", name="发布新版本").click()
        await expect(page.get_by_text("请填写修改原因（至少 2 个字）")).to_be_visible()
        await threshold.fill("5000")
        await threshold.press("Tab")
        await page.get_by_role("button", name="发布新版本").click()
        await expect(page.get_by_text("门槛必须由三星到五星逐级提高")).to_be_visible()
        await shots(page, "refused-before-sending")
        assert (await ops.get("/tier-rules")).json()["version"] == version

        await threshold.fill("11000")
        await threshold.press("Tab")
        await page.get_by_label("修改原因").fill("四星门槛下调至 11,000 元，覆盖更多高保费客户")
        await page.get_by_role("button", name="发布新版本").click()
        dialog = page.get_by_role("dialog")
        await expect(dialog).to_contain_text(f"确定发布第 {version + 1} 版等级规则？共修改 1 项参数")
        await expect(dialog).to_contain_text(f"试算：{before['upgrades'] + 1} 位会员将升级")
        await shots(page, "confirm-publish")
        await dialog.get_by_role("button", name="发布新版本").click()
        await expect(page.get_by_test_id("rules-in-force")).to_have_text(f"现行规则：第 {version + 1} 版")
        await expect(page.get_by_test_id("versions")).to_contain_text("四星门槛下调至 11,000 元")

        # The re-evaluation: started, watched until done.
        await page.get_by_role("button", name="运行重新评定").click()
        await page.get_by_role("dialog").get_by_role("button", name="运行重新评定").click()
        runs = page.get_by_test_id("runs")
        await expect(runs.locator("tbody tr").first).to_contain_text(f"第 {version + 1} 版")
        await expect(runs.locator("tbody tr").first).to_contain_text("已完成", timeout=60_000)
        await shots(page, "re-evaluation-done")

        # The member is four-star now, as the members page shows.
        await page.get_by_role("menuitem", name="会员管理").click()
        await page.get_by_label("地区代码").fill(region)
        await page.get_by_role("button", name="搜索").click()
        await expect(page.get_by_test_id("members").locator("tbody tr")).to_have_count(1)
        await expect(page.get_by_test_id("members").locator("tbody tr")).to_contain_text("四星会员")
        await shots(page, "member-moved-up")
    finally:  # the rules are the platform's: put the original ones back for the other tests
        restored = await ops.post(
            "/tier-rules", json={"rules": original["rules"], "note": "browser journey: rules restored"}
        )
        assert restored.status_code == 201, restored.text
