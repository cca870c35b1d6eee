"""Journey 5 of the member H5: the inbox. A member's claim is registered; claims-svc's event becomes an inbox
message that names the claim; the member opens it from the messages tab and lands on that claim; the message
is read. Then they switch marketing texts off and read an insurance-knowledge article ops published."""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
ARTICLE = "小事故如何快处快赔"


async def published_article(staff: dict[str, httpx.AsyncClient]) -> str:
    """An insurance-knowledge article ops wrote and admin approved and published."""
    created = await staff["ops1"].post(
        "/articles",
        json={
            "title": ARTICLE,
            "summary": "无人伤、车能动：先拍照，再撤离，在线报案。",
            "body": "发生轻微事故时，先开启危险报警闪光灯，在车后方放置警告标志。\n\n"
            "按拍照指引拍下车头、车尾、碰撞部位和侧方，然后把车移到不妨碍交通的地方，在线报案。",
            "category": "claims_guide",
        },
    )
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    assert (await staff["admin"].post(f"/articles/{article_id}/approve")).status_code == 200
    published = await staff["ops1"].post(f"/articles/{article_id}/publish", json={"channels": []})
    assert published.status_code == 200, published.text
    return str(article_id)


async def test_a_member_opens_a_claim_message_from_the_inbox_and_lands_on_the_claim(
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    report: Callable[..., Awaitable[dict[str, Any]]],
    settled: Callable[[Page], Awaitable[Page]],
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    claim = await report(
        member, issued["data"]["policy_no"], accident_type="single_vehicle", loss_cause="scrape"
    )
    await published_article(staff)

    async def told() -> dict[str, Any] | None:  # notify-svc turned the claim's event into an inbox message
        page = (await member.http.get(f"/inbox/{member.member_id}", params={"limit": 100})).json()
        found = [i for i in page["items"] if i["template_code"] == "claim_step" and claim["id"] in i["body"]]
        return found[0] if found else None

    message = await eventually(told, within=60)
    assert message["read_at"] is None

    # The messages tab: the claim's message, unread, among the welcome ones.
    await phone.goto("/h5/messages")
    await sign_in_by_sms(phone, cheyou, member.phone)
    item = phone.get_by_role("button", name=message["title"]).filter(has_text=claim["id"])
    await expect(item).to_be_visible()
    await expect(item.get_by_text("查看详情")).to_be_visible()
    await shots(await settled(phone), "inbox-with-the-claim-message")
    assert await axe(await settled(phone)) == []

    # Its deep link leads to the claim it is about.
    await item.click()
    await expect(phone).to_have_url(f"{phone.url.split('/h5/')[0]}/h5/claims/{claim['id']}")
    await expect(phone.get_by_text(f"报案号 {claim['claim_no']}", exact=True)).to_be_visible()
    await expect(phone.get_by_text("待拍照查勘")).to_be_visible()
    await shots(await settled(phone), "the-claim-from-its-message")

    async def read() -> bool | None:
        page = (await member.http.get(f"/inbox/{member.member_id}", params={"limit": 100})).json()
        return True if any(i["id"] == message["id"] and i["read_at"] for i in page["items"]) else None

    await eventually(read, within=10)
    await phone.go_back()
    await phone.get_by_role("tab", name="未读").click()
    await expect(
        phone.get_by_role("button", name=message["title"]).filter(has_text=claim["id"])
    ).to_have_count(0)
    await shots(await settled(phone), "unread-without-it")

    # Message settings: no marketing texts.
    await phone.get_by_role("link", name="消息设置").click()
    sms = phone.get_by_role("switch", name="活动推荐：短信")
    await expect(sms).to_be_checked()
    await sms.click()
    await expect(sms).not_to_be_checked()
    await expect(phone.get_by_role("switch", name="服务通知：短信")).to_be_disabled()
    await shots(await settled(phone), "message-settings")
    assert await axe(await settled(phone)) == []
    prefs = (await member.http.get(f"/preferences/{member.member_id}")).json()
    assert prefs["channels"]["marketing"]["sms"] is False
    assert prefs["channels"]["service"]["sms"] is True

    # Insurance knowledge: the article ops published.
    await phone.goto("/h5/messages")
    await phone.get_by_role("link", name="保险知识").click()
    await phone.get_by_role("link", name=ARTICLE).click()
    await expect(phone.get_by_role("heading", name=ARTICLE)).to_be_visible()
    await expect(phone.get_by_text("按拍照指引拍下车头")).to_be_visible()
    await shots(await settled(phone), "article")
