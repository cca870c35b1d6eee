"""Service points near me (issue 21, feature 3): a star member standing in Fuzhou opens "near me", keeps
to car washes open now, finds one on the map, asks WeChat to navigate there and books a car wash at it —
and the order reaches that car wash's merchant, not the other car wash contracted in the city.

The phone says it is WeChat: a stand-in for WeChat's JS-SDK (``window.wx``) answers ``getLocation`` with
the position Playwright gives the browser, in WeChat's shape, and records ``openLocation``.
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from playwright.async_api import Geolocation, Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
# 五一广场, Fuzhou, as the phone's GPS gives it (WGS-84).
HERE = Geolocation(latitude=26.0745, longitude=119.2965)
ALL_WEEK = [{"day": d, "opens": "00:00", "closes": "24:00"} for d in range(1, 8)]
# WeChat's JS-SDK as the H5 calls it: config/ready, getLocation (from the browser's position, in WeChat's
# shape) and openLocation (recorded for the test to read).
FAKE_WX = """
window.__wx = [];
window.wx = {
  config: (c) => window.__wx.push(['config', c.jsApiList]),
  ready: (done) => setTimeout(done, 0),
  error: () => {},
  getLocation: (o) => {
    window.__wx.push(['getLocation', o.type]);
    navigator.geolocation.getCurrentPosition(
      (p) => o.success({ latitude: p.coords.latitude, longitude: p.coords.longitude, speed: -1,
                         accuracy: p.coords.accuracy, errMsg: 'getLocation:ok' }),
      (e) => o.fail && o.fail({ errMsg: 'getLocation:fail ' + e.message }));
  },
  openLocation: (o) => window.__wx.push(['openLocation', o]),
  scanQRCode: () => {}, chooseImage: () => {}, getLocalImgData: () => {},
};
"""


def east_of_here(metres: float) -> tuple[float, float]:
    return HERE["latitude"], HERE["longitude"] + metres / 100_000  # ~100 km a degree at 26°N


async def car_wash_company(
    cheyou: Platform, ops: httpx.AsyncClient, brand: str
) -> tuple[str, httpx.AsyncClient]:
    """A car-wash merchant contracted for car washes in Fuzhou, working through the merchant API."""
    created = await ops.post(
        "/merchants",
        json={"name": f"{brand}{uuid.uuid4().hex[:6]}", "category": "car_wash", "city_codes": ["350100"]},
    )
    assert created.status_code == 201, created.text
    merchant_id = created.json()["id"]
    today = date.today()
    contract = await ops.post(
        f"/merchants/{merchant_id}/contracts",
        json={
            "privilege_ids": ["car_wash"],
            "city_codes": ["350100"],
            "unit_price_fen": 2_500,
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert contract.status_code == 201, contract.text
    activated = await ops.post(
        f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "签约完成"}
    )
    assert activated.status_code == 200, activated.text
    key = await ops.post(f"/merchants/{merchant_id}/api-keys", json={"label": "near-me journey"})
    assert key.status_code == 201, key.text
    return merchant_id, await cheyou.merchant(key.json()["key"])


async def service_point(
    ops: httpx.AsyncClient, merchant_id: str, name: str, at: tuple[float, float], **fields: Any
) -> dict[str, Any]:
    body = {
        "name": name,
        "address": "福州市鼓楼区五四路 88 号",
        "city_code": "350100",
        "phone": "0591-87654321",
        "lat": at[0],
        "lng": at[1],
        "coordsys": "wgs84",
        "services": ["car_wash"],
        "hours": ALL_WEEK,
        **fields,
    }
    created = await ops.post(f"/merchants/{merchant_id}/service-points", json=body)
    assert created.status_code == 201, created.text
    point: dict[str, Any] = created.json()
    return point


def closed_today() -> list[dict[str, Any]]:
    """Open only on the day after tomorrow (Shanghai): closed whenever the journey runs."""
    today = datetime.now(ZoneInfo("Asia/Shanghai"))
    return [{"day": (today.isoweekday() + 1) % 7 + 1, "opens": "09:00", "closes": "18:00"}]


async def test_a_member_finds_an_open_car_wash_on_the_map_and_books_it_there(
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
    settled: Callable[[Page], Awaitable[Page]],
) -> None:
    ops = staff["ops1"]
    nearer_id, nearer = await car_wash_company(cheyou, ops, "洁净车护")
    chosen_id, chosen_merchant = await car_wash_company(cheyou, ops, "闽都精洗")
    closed = await service_point(ops, nearer_id, "洁净车护·东街口店", east_of_here(300), hours=closed_today())
    until = (date.today() + timedelta(days=30)).isoformat()
    wash = await service_point(
        ops,
        chosen_id,
        "闽都精洗·五一广场店",
        east_of_here(900),
        offers=[{"title": "会员洗车立减 10 元", "valid_until": until}],
    )
    member = await cheyou.member(ops, staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 1_500_000))

    async def star() -> str | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return body["tier"] if body.get("tier") in {"three_star", "four_star", "five_star"} else None

    await eventually(star, within=60)
    await phone.context.grant_permissions(["geolocation"])
    await phone.context.set_geolocation(HERE)
    await phone.add_init_script(FAKE_WX)

    # From the Me page: "near me", signing in on the way; WeChat gives the position.
    await phone.goto("/h5/nearby")
    await sign_in_by_sms(phone, cheyou, member.phone)
    listed = phone.get_by_test_id("nearby-list")
    await expect(listed).to_contain_text("闽都精洗·五一广场店")
    await expect(listed).to_contain_text("洁净车护·东街口店")
    await expect(listed.get_by_role("link").first).to_contain_text("洁净车护·东街口店")  # the nearer first
    await expect(listed.get_by_role("link").first).to_contain_text("休息中")
    await expect(listed).to_contain_text("会员洗车立减 10 元")
    await shots(await settled(phone), "near-me-car-washes")
    assert await axe(phone) == []
    calls = await phone.evaluate("window.__wx")
    assert ["getLocation", "wgs84"] in calls

    # Open now only: the closed one goes.
    await phone.get_by_role("switch", name="只看营业中").click()
    await expect(listed).not_to_contain_text("洁净车护·东街口店")
    await expect(listed).to_contain_text("闽都精洗·五一广场店")

    # On the map: the open car wash is a marker; choosing it shows it below the map.
    await phone.get_by_role("button", name="地图", exact=True).click()
    marker = phone.get_by_role("button", name=re.compile(r"^闽都精洗·五一广场店，营业中，距您 \d{3} 米$"))
    await expect(marker).to_be_visible()
    await marker.click()
    card = phone.get_by_test_id("chosen-point")
    await expect(card).to_contain_text("闽都精洗·五一广场店")
    await expect(card).to_contain_text("营业中")
    await shots(await settled(phone), "near-me-map")
    assert await axe(phone) == []

    # Its page: hours, offers, navigate through WeChat's map.
    await card.get_by_role("button", name="查看详情").click()
    await expect(phone.get_by_role("heading", name="闽都精洗·五一广场店")).to_be_visible()
    await expect(phone.get_by_test_id("point-state")).to_have_text("营业中")
    await expect(phone.get_by_text("会员洗车立减 10 元")).to_be_visible()
    await shots(await settled(phone), "service-point")
    assert await axe(phone) == []
    await phone.get_by_role("button", name="导航到这里").click()

    async def navigated() -> dict[str, Any] | None:
        found = [c[1] for c in await phone.evaluate("window.__wx") if c[0] == "openLocation"]
        return found[0] if found else None

    opened = await eventually(navigated, within=10)
    assert (opened["name"], opened["address"], opened["scale"]) == (
        "闽都精洗·五一广场店",
        "福州市鼓楼区五四路 88 号",
        16,
    )
    assert (round(opened["latitude"], 6), round(opened["longitude"], 6)) == (
        round(wash["lat"], 6),
        round(wash["lng"], 6),
    )  # GCJ-02, as WeChat's map takes it

    # Book a car wash there: the point is named on the form; the plate is the member's.
    await phone.get_by_role("button", name="预约洗车").click()
    await expect(phone.get_by_test_id("booking-point")).to_contain_text("闽都精洗·五一广场店")
    await expect(phone.get_by_label("车牌号")).to_have_value(member.plate)
    await shots(await settled(phone), "booking-at-the-point")
    await phone.get_by_role("button", name="提交预约").click()
    await expect(phone.get_by_test_id("order-status")).to_have_text("待接单")
    order_id = phone.url.rstrip("/").rsplit("/", 1)[-1]
    await shots(await settled(phone), "order-requested")

    # The order reaches the chosen point's merchant, at that point; the other car wash never sees it.
    async def dispatched() -> dict[str, Any] | None:
        found = await chosen_merchant.get(f"/merchant-api/orders/{order_id}")
        return found.json() if found.status_code == 200 else None

    order = await eventually(dispatched, within=60)
    assert order["service_point_id"] == wash["id"]
    assert order["details"]["service_point_id"] == wash["id"]
    assert (await nearer.get(f"/merchant-api/orders/{order_id}")).status_code == 404
    fulfilment = (await ops.get(f"/fulfilments/{order_id}")).json()
    assert (fulfilment["merchant_id"], fulfilment["service_point_id"]) == (chosen_id, wash["id"])
    assert closed["id"] != wash["id"]


async def _console_violations(page: Page, axe: Axe) -> list[dict[str, Any]]:
    """axe's serious violations inside the page itself (``.page``), not the console frame around it."""
    mine = []
    for violation in await axe(page):
        nodes = [
            target
            for target in violation["nodes"]
            if await page.evaluate("t => !!document.querySelector(t[0])?.closest('.page')", target)
        ]
        if nodes:
            mine.append({**violation, "nodes": nodes})
    return mine


async def test_ops_open_a_service_point_for_a_merchant_and_close_it_again(
    desk: Page, shots: Shots, axe: Axe, cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    ops = staff["ops1"]
    merchant_id, _ = await car_wash_company(cheyou, ops, "榕城快洗")
    page = desk
    await page.goto("/console/sign-in")
    await page.get_by_label("用户名").fill("ops1")
    await page.get_by_label("密码").fill("cheyou-demo-2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "sign-in" not in url)

    # The merchant's page: its service points, none yet.
    await page.goto(f"/console/merchants/{merchant_id}")
    points = page.get_by_test_id("service-points")
    await expect(points).to_contain_text("还没有服务网点")
    await page.get_by_role("button", name="新增网点").click()
    dialog = page.get_by_role("dialog", name="新增网点")
    # Checked before sending: the name, the address, the coordinates and a service are needed.
    await dialog.get_by_role("button", name="保存").click()
    await expect(dialog.get_by_text("请填写网点名称")).to_be_visible()
    await expect(dialog.get_by_text("至少选择一项服务")).to_be_visible()
    # A place abroad is refused by merchant-svc in words (Tokyo, given as GPS coordinates).
    await dialog.get_by_label("网点名称").fill("榕城快洗·屏山店")
    await dialog.get_by_label("地址").fill("福州市鼓楼区屏山路 6 号")
    await dialog.get_by_label("纬度").fill("35.6762")
    await dialog.get_by_label("经度").fill("139.6503")
    await dialog.get_by_text("WGS-84（GPS）").click()
    await dialog.get_by_text("洗车", exact=True).click()
    await dialog.get_by_role("button", name="保存").click()
    await expect(dialog.get_by_role("alert").filter(has_text="坐标不在中国境内")).to_be_visible()
    await shots(page, "point-abroad-refused")
    # In Fuzhou it is saved (converted to GCJ-02) and listed as open.
    await dialog.get_by_label("纬度").fill("26.0912")
    await dialog.get_by_label("经度").fill("119.2951")
    await dialog.get_by_role("button", name="保存").click()
    await expect(points).to_contain_text("榕城快洗·屏山店")
    await expect(points).to_contain_text("营业中")
    await expect(points).to_contain_text("洗车")
    await shots(page, "point-added")
    assert await _console_violations(page, axe) == []
    listed = (await ops.get(f"/merchants/{merchant_id}/service-points")).json()["items"]
    assert [(p["name"], p["status"], p["lat"] != 26.0912) for p in listed] == [
        ("榕城快洗·屏山店", "active", True)
    ]

    # Closing it asks first; then members no longer find it.
    await points.get_by_role("button", name="停用").click()
    await page.get_by_role("dialog", name="请确认").get_by_role("button", name="确定").click()
    await expect(points).to_contain_text("已停用")
    await shots(page, "point-closed")
    member = await cheyou.member(ops, staff["reviewer1"])
    near = await member.http.get(
        "/service-points/nearby",
        params={"lat": 26.0912, "lng": 119.2951, "coordsys": "wgs84", "radius_m": 500},
    )
    assert near.status_code == 200, near.text
    assert "榕城快洗·屏山店" not in [p["name"] for p in near.json()["items"]]
