"""Journey 2 of the member H5: a star member books the free after-drinking driving on their phone → a
designated-driving company accepts through the merchant API → the order page follows it to accepted and
completed → the member rates the driver."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
# 平潭 (Pingtan): a city no other test's merchant serves, so dispatch can only choose this one.
CITY, CITY_NAME = "350128", "平潭综合实验区"


async def designated_driving_company(cheyou: Platform, ops: httpx.AsyncClient) -> httpx.AsyncClient:
    """A merchant under contract for after-drinking driving in Pingtan, working through the merchant API
    (no webhook endpoint: it polls its orders)."""
    created = await ops.post(
        "/merchants",
        json={
            "name": f"平潭安途代驾{uuid.uuid4().hex[:6]}",
            "category": "designated_driving",
            "city_codes": [CITY],
        },
    )
    assert created.status_code == 201, created.text
    merchant_id = created.json()["id"]
    today = date.today()
    contract = await ops.post(
        f"/merchants/{merchant_id}/contracts",
        json={
            "privilege_ids": ["after_drinking_driving"],
            "city_codes": [CITY],
            "unit_price_fen": 8_000,
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert contract.status_code == 201, contract.text
    activated = await ops.post(
        f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "签约完成"}
    )
    assert activated.status_code == 200, activated.text
    key = await ops.post(f"/merchants/{merchant_id}/api-keys", json={"label": "h5 journey"})
    assert key.status_code == 201, key.text
    return await cheyou.merchant(key.json()["key"])


async def test_a_star_member_books_designated_driving_follows_it_and_rates_the_driver(
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
) -> None:
    ops = staff["ops1"]
    merchant = await designated_driving_company(cheyou, ops)
    member = await cheyou.member(ops, staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 1_500_000))

    async def star() -> str | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return body["tier"] if body.get("tier") in {"three_star", "four_star", "five_star"} else None

    await eventually(star, within=60)

    # The member opens the privileges from the club menu and signs in with an SMS code on the way.
    await phone.goto("/h5/privileges")
    await sign_in_by_sms(phone, cheyou, member.phone)
    driving = phone.locator('[data-code="after_drinking_driving"]')
    await expect(driving).to_contain_text("酒后代驾")
    await expect(driving).to_contain_text("免费")
    await shots(phone, "privileges")
    assert await axe(phone) == []

    await driving.get_by_role("button", name="预约酒后代驾").click()
    await phone.get_by_label("城市").select_option(label=CITY_NAME)
    # Validation before sending: the addresses the driver needs.
    await phone.get_by_role("button", name="提交预约").click()
    await expect(phone.get_by_text("请填写此项").first).to_be_visible()
    await shots(phone, "booking-needs-addresses")
    await phone.get_by_label("上车地点").fill("平潭县潭城镇西航路88号")
    await phone.get_by_label("目的地").fill("平潭县金井湾大道196号")
    await expect(phone.get_by_label("车牌号")).to_have_value(member.plate)
    await shots(phone, "booking-filled")
    await phone.get_by_role("button", name="提交预约").click()

    status = phone.get_by_test_id("order-status")
    await expect(status).to_have_text("待接单")
    await shots(phone, "order-requested")
    order_id = phone.url.rstrip("/").rsplit("/", 1)[-1]

    # The driving company sees the order dispatched to it and accepts it.
    async def dispatched() -> bool | None:
        return True if (await merchant.get(f"/merchant-api/orders/{order_id}")).status_code == 200 else None

    await eventually(dispatched, within=60)
    accepted = await merchant.post(f"/merchant-api/orders/{order_id}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    await expect(status).to_have_text("已接单", timeout=45_000)
    await expect(phone.get_by_test_id("timeline")).to_contain_text("已接单")
    await shots(phone, "order-accepted")

    for step, body in (("arrive", None), ("start", None), ("complete", {"notes": "安全送达"})):
        done = await merchant.post(f"/merchant-api/orders/{order_id}/{step}", json=body)
        assert done.status_code == 200, done.text
    await expect(status).to_have_text("已完成", timeout=45_000)
    await shots(phone, "order-completed")

    # The member rates the driver.
    await phone.get_by_role("radio").nth(4).click()
    await phone.get_by_label("评价内容").fill("司机很专业，准时到达")
    await phone.get_by_role("button", name="提交评价").click()
    await expect(phone.get_by_test_id("rating")).to_have_text("您的评分：5 星")
    await shots(phone, "order-rated")
    rated = (await member.http.get(f"/orders/{order_id}")).json()
    assert rated["rating_stars"] == 5
    assert rated["rating_comment"] == "司机很专业，准时到达"
