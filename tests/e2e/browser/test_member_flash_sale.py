"""Journey 4 of the member H5: a points flash sale. Ops put a car-wash coupon on a flash sale opening in
half a minute; the member (whose phone clock is two hours fast) sees it count down on the server's clock,
grabs it the moment it opens, and gets the coupon code and its QR to show at the car wash."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
SALE = "积分秒杀：精品洗车一次"
PRICE, FUNDS = 100, 150


async def car_wash_coupons(ops: httpx.AsyncClient) -> tuple[str, str]:
    """A car wash in the alliance with a batch of free-wash coupons: (merchant id, batch id)."""
    created = await ops.post(
        "/merchants",
        json={
            "name": f"福州洁亮洗车{uuid.uuid4().hex[:6]}",
            "category": "car_wash",
            "city_codes": ["350100"],
        },
    )
    assert created.status_code == 201, created.text
    merchant_id = created.json()["id"]
    activated = await ops.post(
        f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "签约完成"}
    )
    assert activated.status_code == 200, activated.text
    now = datetime.now(UTC)
    batch = await ops.post(
        "/coupons/batches",
        json={
            "merchant_id": merchant_id,
            "title": "精品洗车一次",
            "kind": "free_service",
            "service": "精品洗车",
            "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=30)).isoformat(),
            "quantity": 10,
        },
    )
    assert batch.status_code == 201, batch.text
    return merchant_id, batch.json()["id"]


async def test_a_member_races_a_flash_sale_on_the_server_clock_and_gets_the_coupon(
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    settled: Callable[[Page], Awaitable[Page]],
) -> None:
    ops = staff["ops1"]
    merchant_id, batch_id = await car_wash_coupons(ops)
    member = await cheyou.member(ops, staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 400_000))
    topped = await ops.post(
        f"/points/{member.member_id}/adjustments", json={"points": FUNDS, "reason": "秒杀活动积分"}
    )
    assert topped.status_code == 201, topped.text

    async def funded() -> int | None:  # the welcome points and the top-up are both in; the tier is known
        balance = (await member.http.get(f"/points/{member.member_id}")).json()["balance"]
        tier = (await member.http.get(f"/entitlements/{member.member_id}")).json().get("tier")
        return int(balance) if balance >= FUNDS + 100 and tier == "ordinary" else None

    balance = await eventually(funded, within=60)

    # The member's phone runs two hours fast: nothing on the page may trust it.
    await phone.clock.install()
    await phone.clock.set_system_time(datetime.now(UTC) + timedelta(hours=2))
    await phone.goto("/h5/mall")
    await sign_in_by_sms(phone, cheyou, member.phone)
    await expect(phone.get_by_text("普通会员可兑换")).to_be_visible()
    await expect(phone.get_by_text(str(balance), exact=True)).to_be_visible()
    await shots(await settled(phone), "mall-before-the-sale")

    # Ops open a flash sale in half a minute; the member refreshes the mall and sees it count down.
    sale = await ops.post(
        "/flash-sales",
        json={
            "name": SALE,
            "kind": "coupon",
            "merchant_id": merchant_id,
            "coupon_batch_id": batch_id,
            "tier_prices": {"ordinary": PRICE, "three_star": PRICE},
            "stock": 3,
            "starts_at": (datetime.now(UTC) + timedelta(seconds=30)).isoformat(),
            "per_member_limit": 1,
        },
    )
    assert sale.status_code == 201, sale.text
    await phone.reload()
    card = phone.get_by_role("article", name=SALE)
    await expect(card.get_by_role("timer")).to_contain_text("距开始")
    await expect(card.get_by_role("timer")).to_contain_text("00:00:")
    await expect(card.get_by_text("剩余 3/3")).to_be_visible()
    grab = card.get_by_role("button", name=f"立即抢：{SALE}")
    # the phone's clock says it opened two hours ago; the server's does not
    await expect(card.get_by_role("button", name=f"即将开始：{SALE}")).to_be_disabled()
    await shots(await settled(phone), "flash-sale-counting-down")
    assert await axe(await settled(phone)) == []

    # It opens on the server's clock: the member grabs it.
    await expect(grab).to_be_enabled(timeout=60_000)
    await grab.click()
    await expect(phone.get_by_text(f"用 {PRICE} 积分兑换「{SALE}」？")).to_be_visible()
    await shots(await settled(phone), "confirm-redemption")
    await phone.get_by_role("button", name="确定").click()

    # The coupon merchant-svc issued for it: its code and QR, as the member shows them at the car wash.
    await expect(phone.get_by_text("已兑换")).to_be_visible()
    await expect(phone.get_by_test_id("coupon-code")).to_be_visible(timeout=30_000)
    await expect(phone.get_by_role("img", name="券码二维码")).to_be_visible()
    coupons = (await member.http.get("/coupons")).json()["items"]
    assert [(c["batch_id"], c["source"], c["status"]) for c in coupons] == [
        (batch_id, "points_mall", "issued")
    ]
    await expect(phone.get_by_test_id("coupon-code")).to_have_text(coupons[0]["code"])
    await shots(await settled(phone), "coupon-code-and-qr")
    assert (await member.http.get(f"/points/{member.member_id}")).json()["balance"] == balance - PRICE

    # Back in the mall: one per member, so this member's button now says so.
    await phone.goto("/h5/mall")
    await expect(card.get_by_role("button", name=f"已达限购：{SALE}")).to_be_disabled()
    await expect(card.get_by_text("剩余 2/3")).to_be_visible()
    await shots(await settled(phone), "mall-limit-reached")
