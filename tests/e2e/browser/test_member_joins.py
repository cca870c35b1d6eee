"""Journey 1 of the member H5: a manager's invite link → the join form (SMS code from the fake provider)
→ application received, WeChat bound through the fake authorize page → a reviewer approves through the
API and the core system issues a policy → the member signs in by WeChat and sees the card at the tier the
policy gives."""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from cheyou_demo import Member, Platform, id_number, phone_number
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
SESSION = "cheyou.member.session"


async def choose_openid(page: Page, openid: str) -> None:
    """On the fake WeChat authorize page: type a test openid (first time) and allow."""
    await expect(page.get_by_role("heading", name="微信网页授权（本地模拟）")).to_be_visible()
    await page.get_by_label("测试 openid").fill(openid)
    await page.get_by_role("button", name="允许并继续").click()


async def otp_for(cheyou: Platform, phone: str) -> str:
    async def latest() -> str | None:
        codes = [
            str(m["template_param"]["code"])
            for m in await cheyou.sms_messages(phone)
            if isinstance(m.get("template_param"), dict) and "code" in m["template_param"]
        ]
        return codes[-1] if codes else None

    return await eventually(latest, within=20)


async def test_a_customer_joins_from_a_managers_invite_is_approved_and_signs_in_by_wechat_to_the_card(
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    gateway_url: str,
) -> None:
    invite_code = (await staff["manager1"].get("/managers/manager1")).json()["invite_code"]
    mobile, id_card, openid = (
        phone_number(cheyou.rng),
        id_number(cheyou.rng),
        f"o-h5-{cheyou.rng.randrange(16**12):012x}",
    )

    # The manager's invite QR opens the join page with the manager's code (member-svc writes ?manager_code=).
    await phone.goto(f"/h5/join?manager_code={invite_code}")
    await expect(phone.get_by_test_id("invitation")).to_contain_text(invite_code)
    await shots(phone, "invitation")
    assert await axe(phone) == []

    # A typo in the ID number is caught before anything is sent.
    await phone.get_by_label("姓名").fill("林晓东")
    await phone.get_by_label("身份证号").fill(id_card[:-1] + ("0" if id_card[-1] != "0" else "1"))
    await phone.get_by_label("身份证号").blur()
    await expect(phone.get_by_text("身份证号校验位不正确")).to_be_visible()
    await shots(phone, "id-number-typo")
    await phone.get_by_label("身份证号").fill(id_card)

    await phone.get_by_label("手机号").fill(mobile)
    await phone.get_by_role("button", name="获取验证码").click()
    await phone.get_by_label("验证码").fill(await otp_for(cheyou, mobile))
    await phone.get_by_label("车牌号").fill("闽A6H218")
    await phone.get_by_role("checkbox", name="自驾").click()
    await phone.get_by_role("checkbox", name="我已阅读并同意个人信息保护告知书").click()
    await shots(phone, "form-filled")
    await phone.get_by_role("button", name="提交申请").click()

    # Application received: the applicant is signed in with the proof of the code, and follows it.
    await expect(phone.get_by_role("heading", name="申请已提交")).to_be_visible()
    await expect(phone.get_by_test_id("application-status")).to_contain_text("审核中")
    await expect(phone.get_by_text("闽A6H218")).to_be_visible()
    await shots(phone, "application-received")
    member_id = await phone.evaluate(f"JSON.parse(localStorage.getItem('{SESSION}')).memberId")

    # Bind WeChat on the way (the fake authorize page), so that WeChat signs the member in next time.
    await phone.get_by_role("button", name="绑定微信").click()
    await choose_openid(phone, openid)
    await expect(phone.get_by_test_id("wechat-bound")).to_be_visible(timeout=20_000)
    await shots(phone, "wechat-bound")

    # The reviewer phones and approves; the core system's feed brings the policy that sets the tier.
    await cheyou.verify(staff["reviewer1"], member_id)
    member = Member(
        member_id, "林晓东", id_card, mobile, openid, "闽A6H218", f"C{member_id[:12]}", cheyou.client()
    )
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 1_500_000))

    async def star_tier() -> str | None:
        tier = (await staff["admin"].get(f"/members/{member_id}/tier")).json().get("tier")
        return tier if tier not in (None, "prospective", "ordinary") else None

    tier = await eventually(star_tier, within=60)
    badge = {"three_star": "三星会员", "four_star": "四星会员", "five_star": "五星会员"}[tier]

    # Another day: the session is gone; the member opens the club from WeChat and signs in with it.
    await phone.evaluate(f"localStorage.removeItem('{SESSION}')")
    await phone.goto("/h5/me")
    await expect(phone.get_by_role("button", name="微信一键登录")).to_be_visible()
    await shots(phone, "sign-in")
    await phone.get_by_role("button", name="微信一键登录").click()
    await expect(phone.get_by_role("heading", name="微信网页授权（本地模拟）")).to_be_visible()
    await shots(phone, "wechat-authorize")
    await phone.get_by_role("button", name=openid).click()

    card = phone.get_by_test_id("member-card")
    await expect(card.get_by_test_id("tier-badge")).to_have_text(badge, timeout=20_000)
    await expect(card.get_by_role("img", name="会员二维码")).to_be_visible()
    await expect(card.get_by_role("img", name="会员条形码")).to_be_visible()
    await expect(card).to_contain_text("林**")
    await expect(phone.get_by_test_id("tier-progress")).to_contain_text(badge)
    await shots(phone, "me-card")
    assert await axe(phone) == []
