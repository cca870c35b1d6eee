"""The surveyor's day in the console: take the next claim, check its photos against the shot list, ask for a
re-shoot of one, then confirm the loss once the member has shot it again."""

import re
from collections.abc import Callable
from typing import Any

import httpx
from cheyou_demo import Platform
from playwright.async_api import Page, expect


async def _empty_the_queue(surveyor: httpx.AsyncClient) -> None:
    """Surveys left by earlier tests are confirmed first: the queue is first come, first served."""
    for _ in range(100):
        taken = await surveyor.post("/surveys/next")
        if taken.status_code == 204:
            return
        assert taken.status_code == 200, taken.text
        claim_id = taken.json()["claim_id"]
        assert (
            await surveyor.post(f"/surveys/{claim_id}/confirmation", json={"amount_fen": 100})
        ).status_code == 200
    raise AssertionError("the survey queue never emptied")


async def _upload(member: Any, claim_id: str, slot: str, photo: bytes) -> None:
    response = await member.http.post(
        f"/claims/{claim_id}/survey/photos",
        data={"slot": slot},
        files={"file": ("photo.jpg", photo, "image/jpeg")},
    )
    assert response.status_code == 201, response.text


async def test_surveyor_requests_a_reshoot_then_confirms_the_loss(
    desk: Page,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    report: Any,
    claim_photo: Callable[[], bytes],
    shots: Any,
    axe: Any,
) -> None:
    # A verified, insured member reports a single-car accident and shoots every required photo.
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    claim = await report(member, issued["data"]["policy_no"], accident_type="single_vehicle")
    survey = (await member.http.get(f"/claims/{claim['id']}/survey")).json()
    await _empty_the_queue(staff["surveyor1"])
    for slot in survey["missing_required"]:
        await _upload(member, claim["id"], slot, claim_photo())
    assert (await member.http.post(f"/claims/{claim['id']}/survey/submission")).status_code == 200

    # The queue: the service-hours state and the claim waiting.
    await desk.goto("/console/surveys")
    await desk.get_by_label("用户名").fill("surveyor1")
    await desk.get_by_label("密码").fill("cheyou-demo-2026")
    await desk.get_by_role("button", name="登录").click()
    await expect(desk.get_by_test_id("service-hours")).to_contain_text("08:00–20:00")
    await expect(desk.get_by_role("tab", name="等待查勘（1）")).to_be_visible()
    await shots(desk, "queue")
    assert await axe(desk) == []

    # Take it: the photos laid out by the shot list, each with its capture checks.
    await desk.get_by_role("button", name="领取下一单").click()
    await expect(desk).to_have_url(re.compile(rf"/console/surveys/{claim['id']}$"))
    await expect(desk.get_by_text(claim["claim_no"]).first).to_be_visible()
    contact = desk.get_by_test_id("slot-contact_point")
    await expect(contact.get_by_role("img", name="碰撞部位")).to_be_visible()
    await expect(contact).to_contain_text("拍摄时间正常")
    await expect(contact).to_contain_text("拍摄地点在出险地点附近")
    await shots(desk, "photos-by-shot-list")
    assert await axe(desk) == []

    # Zoom into the contact point.
    await contact.get_by_role("img", name="碰撞部位").click()
    await expect(desk.locator(".el-image-viewer__wrapper")).to_be_visible()
    await shots(desk, "zoomed")
    await desk.keyboard.press("Escape")
    await expect(desk.locator(".el-image-viewer__wrapper")).to_be_hidden()

    # Ask for the contact point again: a note is needed first.
    await desk.get_by_role("button", name="发送补拍要求").click()
    await expect(desk.get_by_text("请至少勾选一张需要补拍的照片")).to_be_visible()
    await contact.get_by_text("要求补拍", exact=True).click()
    await expect(desk.get_by_role("checkbox", name="要求补拍“碰撞部位”")).to_be_checked()
    await desk.get_by_label("给客户的补拍说明").fill("请靠近拍摄碰撞部位，让护栏和车身同框")
    await desk.get_by_role("button", name="发送补拍要求").click()
    await desk.get_by_role("dialog").get_by_role("button", name="确定").click()
    await expect(desk.get_by_text("已要求客户补拍，客户重新提交后会回到您的查勘列表。")).to_be_visible()
    await shots(desk, "reshoot-requested")
    seen = (await member.http.get(f"/claims/{claim['id']}/survey")).json()
    assert seen["reshoot_note"] == "请靠近拍摄碰撞部位，让护栏和车身同框"
    assert [s["code"] for s in seen["slots"] if s["reshoot_requested"]] == ["contact_point"]

    # The member shoots it again; the survey comes back to this surveyor, round 2.
    await _upload(member, claim["id"], "contact_point", claim_photo())
    assert (await member.http.post(f"/claims/{claim['id']}/survey/submission")).status_code == 200
    await desk.get_by_role("button", name="返回").click()
    await desk.get_by_role("tab", name=re.compile("我的查勘")).click()
    # Back in "my surveys" as round 2 (the list names no claim number, and other suites' claims may sit in
    # this surveyor's list too): open this claim from its link.
    await expect(desk.get_by_role("row").filter(has_text="查勘中").first).to_be_visible()
    await shots(desk, "back-in-my-surveys")
    await desk.goto(f"/console/surveys/{claim['id']}")
    await expect(desk).to_have_url(re.compile(rf"/console/surveys/{claim['id']}$"))
    await expect(desk.get_by_text("查勘中")).to_be_visible()

    # Confirm the loss: the amount is checked before anything is sent.
    amount = desk.get_by_label("核定损失金额（元）")
    await amount.fill("42.123")
    await desk.get_by_role("button", name="确认损失").click()
    await expect(desk.get_by_text("请填写金额，最多两位小数")).to_be_visible()
    await amount.fill("4200")
    await desk.get_by_role("button", name="确认损失").click()
    dialog = desk.get_by_role("dialog")
    await expect(dialog).to_contain_text("¥4,200.00")
    await dialog.get_by_role("button", name="确定").click()
    await expect(desk.get_by_test_id("loss-confirmed")).to_contain_text("已确认损失 ¥4,200.00")
    await shots(desk, "loss-confirmed")

    confirmed = (await member.http.get(f"/claims/{claim['id']}")).json()
    assert confirmed["status"] in {"loss_confirmed", "documents_pending"}
    steps = (await member.http.get(f"/claims/{claim['id']}/timeline", params={"limit": 100})).json()["items"]
    assert any("4,200.00" in step["text"] for step in steps)
