"""The club's activities of the seed (issue 21, feature 5), on the screens. Ops set up a Mid-Autumn 博饼 with
its prizes, a golden egg whose small pool runs dry, a call for needs (征集令) and a self-driving group with
its WeChat QR. A member rolls the dice and reads the outcome and the prize, smashes the egg until the pool is
spent and is told so in words, answers the survey (choosing self-drive tours), and then finds the
self-driving group among their interest groups and opens its QR to join. Ops read the survey's results as a
chart and see the join counted."""

import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import qrcode
from cheyou_demo import Member, Platform
from cheyou_kit.testing import eventually
from playwright.async_api import FilePayload, Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
BOBING = "中秋博饼·车友会"
EGG = "砸金蛋·小奖池"
SURVEY = "车生活服务征集令"
GROUP = "周末自驾群"
XIAMEN_PRIZES = [
    ("zhuangyuan_chajinhua", 888), ("liubohong", 888), ("biandijin", 888), ("liubohei", 888), ("wuhong", 688),
    ("wuzidengke", 588), ("zhuangyuan", 388), ("duitang", 188), ("sanhong", 88), ("sijin", 58), ("erju", 28),
    ("yixiu", 8),
]  # fmt: skip


async def sign_in_as_ops(page: Page) -> None:
    await page.goto("/console/sign-in")
    await page.get_by_label("用户名").fill("ops1")
    await page.get_by_label("密码").fill("cheyou-demo-2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "sign-in" not in url)


def window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
    }


async def published_game(ops: httpx.AsyncClient, body: dict[str, Any]) -> str:
    created = await ops.post("/games", json={**window(), **body})
    assert created.status_code == 201, created.text
    published = await ops.post(f"/games/{created.json()['id']}/publish")
    assert published.status_code == 200, published.text
    return str(created.json()["id"])


async def set_up_the_club(ops: httpx.AsyncClient) -> dict[str, str]:
    bobing = await published_game(
        ops,
        {
            "kind": "bobing",
            "name": BOBING,
            "description": "每天三次，状元插金花 888 积分",
            "plays_per_day": 3,
            "points_budget": 100_000,
            "prizes": [
                {"code": code, "name": f"{points} 积分", "kind": "points", "points": points}
                for code, points in XIAMEN_PRIZES
            ],
        },
    )
    egg = await published_game(
        ops,
        {
            "kind": "golden_egg",
            "name": EGG,
            "plays_per_day": 5,
            "points_budget": 100,
            "prizes": [
                {
                    "code": "big",
                    "name": "金蛋大奖",
                    "kind": "points",
                    "points": 60,
                    "probability_ppm": 1_000_000,
                }
            ],
        },
    )
    survey = await ops.post(
        "/needs-surveys",
        json={
            "title": SURVEY,
            "intro": "告诉我们您最想要的车生活服务",
            "questions": [
                {
                    "code": "services",
                    "text": "您最需要哪些服务？",
                    "kind": "multiple",
                    "options": [
                        {"code": "wash", "label": "上门洗车", "needs": ["car_wash"]},
                        {
                            "code": "tour",
                            "label": "周末自驾游",
                            "interests": ["self_drive"],
                            "needs": ["self_drive_tours"],
                        },
                        {"code": "inspection", "label": "代办年检", "needs": ["annual_inspection"]},
                    ],
                },
                {"code": "wish", "text": "还有什么想对俱乐部说的？", "kind": "text", "required": False},
            ],
        },
    )
    assert survey.status_code == 201, survey.text
    assert (await ops.post(f"/needs-surveys/{survey.json()['id']}/publish")).status_code == 200
    return {"bobing": bobing, "egg": egg, "survey": str(survey.json()["id"])}


def qr_png() -> bytes:
    image = qrcode.make("https://weixin.qq.com/g/cheyou-self-drive")
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


async def known_to_privilege_svc(member: Member) -> None:
    async def known() -> bool | None:
        answer = await member.http.get("/games")
        return True if answer.status_code == 200 else None

    await eventually(known, within=60)


async def test_a_member_plays_answers_the_call_for_needs_and_joins_the_self_driving_group(
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
    phone: Page,
    desk: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    settled: Callable[[Page], Awaitable[Page]],
) -> None:
    ops = staff["ops1"]
    ids = await set_up_the_club(ops)
    member = await cheyou.member(ops, staff["reviewer1"], interests=["photography"])
    await known_to_privilege_svc(member)

    # Ops create the self-driving group on the console and upload its WeChat group QR.
    await sign_in_as_ops(desk)
    await desk.goto("/console/interest-groups")
    await desk.get_by_role("button", name="新建兴趣群").click()
    await desk.get_by_label("群名").fill(GROUP)
    await desk.get_by_role("combobox", name="面向的兴趣").click(force=True)
    await desk.get_by_role("option", name="自驾", exact=True).click()
    await desk.keyboard.press("Escape")
    await desk.get_by_label("介绍").fill("每周末一起出发，福州周边自驾")
    await desk.get_by_role("dialog").get_by_role("button", name="新建兴趣群").click()
    await desk.get_by_role("button", name="二维码图片（PNG 或 JPEG，不超过 512 KB）").set_input_files(
        files=[FilePayload(name="group.png", mimeType="image/png", buffer=qr_png())]
    )
    await desk.get_by_role("button", name="上传", exact=True).click()
    row = desk.get_by_role("row").filter(has_text=GROUP)
    await expect(row).to_contain_text("前有效")
    await shots(desk, "ops-group-with-its-qr")

    # The member opens the club's games from Me and rolls the dice.
    await phone.goto("/h5/games")
    await sign_in_by_sms(phone, cheyou, member.phone)
    await expect(phone.get_by_text(BOBING)).to_be_visible()
    await expect(phone.get_by_role("link", name=BOBING).get_by_text("今天还剩 3 次")).to_be_visible()
    await shots(await settled(phone), "games")
    assert await axe(await settled(phone)) == []
    await phone.get_by_role("link", name=BOBING).click()
    await phone.get_by_role("button", name="掷骰子").click()
    await expect(phone.get_by_text("今天还剩 2 次")).to_be_visible()
    played = (await member.http.get(f"/games/{ids['bobing']}/plays")).json()["items"][0]
    await expect(phone.get_by_text(played["message"]).first).to_be_visible()
    await expect(
        phone.get_by_role("img", name=f"骰子点数：{' '.join(map(str, played['dice']))}")
    ).to_be_visible()
    await shots(await settled(phone), "bobing-rolled")
    await phone.get_by_role("button", name="奖项与概率（公示）").click()
    await expect(phone.get_by_role("cell", name="状元插金花")).to_be_visible()
    await shots(await settled(phone), "bobing-odds")
    assert await axe(await settled(phone)) == []

    # The golden egg pays 60 points from a pool of 100: the second egg finds the pool spent.
    await phone.goto(f"/h5/games/{ids['egg']}")
    await phone.get_by_role("button", name="砸第 1 个金蛋").click()
    await expect(
        phone.get_by_role("region", name="结果").get_by_text("金蛋大奖！获得 60 积分")
    ).to_be_visible()
    await expect(phone.get_by_text("本场奖池已经发完了，感谢参与")).to_be_visible()
    await expect(phone.get_by_role("button", name="砸第 2 个金蛋")).to_be_disabled()
    await shots(await settled(phone), "golden-egg-pool-spent")

    # The call for needs: the member chooses self-drive tours and car wash, and writes a wish.
    await phone.goto("/h5/surveys")
    await expect(phone.get_by_text("待填写")).to_be_visible()
    await phone.get_by_role("link", name=SURVEY).click()
    await phone.get_by_role("button", name="提交").click()
    await expect(phone.get_by_text("请回答这一题")).to_be_visible()
    await phone.get_by_role("checkbox", name="周末自驾游").click()
    await phone.get_by_role("checkbox", name="上门洗车").click()
    await phone.get_by_label("还有什么想对俱乐部说的？").fill("希望多组织亲子自驾")
    await shots(await settled(phone), "survey-filled")
    assert await axe(await settled(phone)) == []
    await phone.get_by_role("button", name="提交").click()
    await expect(phone.get_by_text("谢谢您的回答！")).to_be_visible()
    await shots(await settled(phone), "survey-answered")

    # Self-driving is now among the member's interests: the group appears, and the member joins.
    async def group_seen() -> bool | None:
        items = (await member.http.get("/interest-groups")).json()["items"]
        return True if any(g["name"] == GROUP for g in items) else None

    await eventually(group_seen, within=60)
    await phone.goto("/h5/groups")
    await expect(phone.get_by_text(GROUP)).to_be_visible()
    await phone.get_by_role("button", name="加入群聊").click()
    await expect(phone.get_by_role("img", name=f"{GROUP} 的微信群二维码")).to_be_visible()
    await expect(phone.get_by_text("长按识别二维码加入微信群")).to_be_visible()
    await shots(await settled(phone), "group-qr")
    assert await axe(await settled(phone)) == []

    # Ops: the join is counted, and the survey's results are a chart with the counts beside it.
    await desk.reload()
    await expect(
        desk.get_by_role("row").filter(has_text=GROUP).get_by_role("cell", name="1", exact=True)
    ).to_be_visible()
    await desk.goto(f"/console/needs-surveys/{ids['survey']}")
    await expect(desk.get_by_role("heading", name=SURVEY)).to_be_visible()
    await expect(desk.get_by_text("共 1 份回答")).to_be_visible()
    await expect(desk.get_by_role("img", name="您最需要哪些服务？")).to_be_visible()
    await expect(desk.get_by_text("希望多组织亲子自驾")).to_be_visible()
    await shots(desk, "ops-survey-results")
    await desk.goto(f"/console/games/{ids['bobing']}")
    await expect(desk.get_by_role("heading", name=BOBING)).to_be_visible()
    await expect(desk.get_by_text("46,656").first).to_be_visible()
    await shots(desk, "ops-game-odds-and-fairness")
    assert await axe(desk) == []
