"""The owner's secretary feeds on the screens (issue 21, feature 2). The fake traffic-police and weather
providers push signed items through the gateway, as the real ones would. Ops open the feeds page: the
violation for a member's plate matched, the one for a plate nobody has skipped with the reason, and a replay
of it that leaves it skipped. The member opens the violation reminder in the inbox — plate, fine, points — and
follows it to booking the violation-handling agency; then the typhoon alert, orange, to the claim report."""

import random
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_demo import Member, Platform
from cheyou_devinfra.platform import Service
from cheyou_fakes import feeds, running
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]


@pytest.fixture(scope="module")
def providers(services: dict[str, Service]) -> Iterator[dict[str, str]]:
    gateway = services["gateway"].url
    with (
        running(feeds.create_app("violations", push_url=f"{gateway}/api/v1/feed-webhooks/violations")) as v,
        running(feeds.create_app("weather", push_url=f"{gateway}/api/v1/feed-webhooks/weather")) as w,
    ):
        yield {"violations": v, "weather": w}


async def _push(provider_url: str, item: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=provider_url, timeout=30) as provider:
        [push] = (await provider.post("/_fake/items", json={"items": [item]})).json()["pushes"]
    assert push["status"] == 200, push
    answer: dict[str, Any] = push["answer"]
    return answer


async def _violation_once_known(providers: dict[str, str], member: Member) -> dict[str, Any]:
    """A red-light violation for the member's plate, pushed until notify-svc knows the vehicle (it comes
    with the verification, just after the contact)."""

    async def matched() -> dict[str, Any] | None:
        item = feeds.violation(member.plate, offence=1)
        return item if (await _push(providers["violations"], item))["matched"] == 1 else None

    return await eventually(matched, within=60)


async def _sign_in_as_ops(page: Page) -> None:
    await page.goto("/console/sign-in")
    await page.get_by_label("用户名").fill("ops1")
    await page.get_by_label("密码").fill("cheyou-demo-2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "sign-in" not in url)


async def _ops_page_violations(page: Page, axe: Axe) -> list[dict[str, Any]]:
    """axe's serious violations inside the ops page itself (the shell around it has tests of its own)."""
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


async def test_ops_see_the_feeds_and_the_owner_follows_a_violation_and_a_typhoon_alert(
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    providers: dict[str, str],
    desk: Page,
    phone: Page,
    shots: Shots,
    axe: Axe,
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
    settled: Callable[[Page], Awaitable[Page]],
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"], region_code="350111")  # 晋安区
    violation = await _violation_once_known(providers, member)
    nobody = "琼B" + f"{random.randrange(10**5):05d}"
    stray = feeds.violation(nobody, offence=2)
    assert (await _push(providers["violations"], stray))["skipped"] == 1
    typhoon = feeds.weather_alert("350100", "typhoon", 2, headline="台风橙色预警")
    assert (await _push(providers["weather"], typhoon))["matched"] == 1

    # Ops: the feeds page, the member's plate matched.
    await _sign_in_as_ops(desk)
    await desk.goto("/console/feeds")
    await expect(desk.get_by_role("heading", name="车主秘书数据源")).to_be_visible()
    await desk.get_by_label("车牌 / 地区代码").fill(member.plate)
    await desk.get_by_role("button", name="搜索").click()
    matched_row = desk.get_by_role("row").filter(has_text=violation["id"])
    await expect(matched_row).to_contain_text("违反道路交通信号灯通行")
    await expect(matched_row).to_contain_text("已匹配")
    await expect(matched_row).to_contain_text("1 位会员")
    await shots(desk, "ops-a-members-plate-matched")
    assert await _ops_page_violations(desk, axe) == []

    # The plate nobody has: skipped, and a replay leaves it skipped (still nobody's).
    await desk.get_by_label("车牌 / 地区代码").fill(nobody)
    await desk.get_by_role("button", name="搜索").click()
    stray_row = desk.get_by_role("row").filter(has_text=stray["id"])
    await expect(stray_row).to_contain_text("已跳过")
    await expect(stray_row).to_contain_text("未知车牌")
    await stray_row.get_by_role("button", name="重放").click()
    await desk.get_by_role("dialog").get_by_role("button", name="重放").click()
    await expect(desk.get_by_text("已重放 1 条：0 条匹配，1 条跳过")).to_be_visible()
    await expect(desk.get_by_role("row").filter(has_text=stray["id"])).to_contain_text("已重放 1 次")
    await shots(desk, "ops-a-stray-plate-replayed-and-still-skipped")

    # The member: the violation reminder in the inbox, opened in place.
    async def both_told() -> bool | None:
        page = (await member.http.get(f"/inbox/{member.member_id}", params={"limit": 100})).json()
        codes = {i["template_code"] for i in page["items"]}
        return {"violation_reminder", "weather_alert"} <= codes or None

    await eventually(both_told, within=60)
    await phone.goto("/h5/messages")
    await sign_in_by_sms(phone, cheyou, member.phone)
    reminder = phone.get_by_role("button", name="交通违章提醒").first
    await expect(reminder).to_contain_text("查看详情与办理")
    await reminder.click()
    details = phone.get_by_role("region", name="违章详情")
    await expect(details.get_by_text(member.plate, exact=True)).to_be_visible()
    await expect(details.get_by_text("200元", exact=True)).to_be_visible()
    await expect(details.get_by_text("6分", exact=True)).to_be_visible()
    await shots(await settled(phone), "member-a-violation-opened")
    assert await axe(await settled(phone)) == []
    await details.get_by_role("link", name="预约代办违章").click()
    await expect(phone).to_have_url(re.compile(r".*/h5/privileges/violation_agency/book$"))
    await shots(await settled(phone), "member-booking-the-violation-agency")

    # The typhoon alert: orange, and the claim report one tap away.
    await phone.go_back()
    alert = phone.get_by_role("button", name="天气预警").first
    await alert.click()
    warning = phone.get_by_role("region", name="预警详情")
    await expect(warning.get_by_text("台风橙色预警", exact=True)).to_be_visible()
    await expect(warning.get_by_role("link", name="道路救援")).to_be_visible()
    await shots(await settled(phone), "member-the-typhoon-alert-opened")
    assert await axe(await settled(phone)) == []
    await warning.get_by_role("link", name="一键报案").click()
    await expect(phone).to_have_url(re.compile(r".*/h5/claims/new$"))
    await shots(await settled(phone), "member-reporting-a-claim-from-the-alert")
