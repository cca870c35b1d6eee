"""Journey 3 of the member H5: after a scrape, a member reports the claim on their phone (policy with its
cover, place with the phone's location), takes every guided photo of the shot list through the camera input
(real JPEGs with the EXIF a phone writes) and submits them; the surveyor asks for the contact point again
with a note; the member sees the note against that shot, re-shoots it and submits again."""

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from cheyou_demo import Platform
from cheyou_kit.testing import eventually
from playwright.async_api import FilePayload, Geolocation, Page, expect

Shots = Callable[[Page, str], Awaitable[Path]]
Axe = Callable[[Page], Awaitable[list[dict[str, Any]]]]
WUSI_ROAD = Geolocation(latitude=26.0745, longitude=119.2965)
PLACE = "福州市鼓楼区五四路与东街口交叉口"
# The single-vehicle shot list's required shots (claims-svc shot_list.SINGLE_VEHICLE) as the page names them.
REQUIRED = [
    "车头前方全景",
    "车尾后方全景",
    "碰撞部位",
    "侧方全景",
    "驾驶证",
    "行驶证",
    "车架号",
    "损失部位近景",
    "里程表",
]
SLOTS = [
    "front_view",
    "rear_view",
    "contact_point",
    "side_view",
    "own_driving_licence",
    "own_vehicle_licence",
    "own_vin",
    "damage_closeup",
    "odometer",
]
NOTE = "请靠近拍摄碰撞部位，让护栏和车身都入镜"


async def test_a_member_reports_a_scrape_takes_the_guided_photos_and_answers_a_reshoot(
    sign_in_by_sms: Callable[[Page, Platform, str], Awaitable[None]],
    phone: Page,
    shots: Shots,
    axe: Axe,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    claim_photo: Callable[[], bytes],
    settled: Callable[[Page], Awaitable[Page]],
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    policy_no = issued["data"]["policy_no"]

    async def covered() -> bool | None:  # claims-svc has learnt the policy from the feed
        found = await staff["surveyor1"].get(
            f"/cover/{member.customer_no}", params={"on": date.today().isoformat()}
        )
        return True if found.status_code == 200 and found.json() else None

    async def listed() -> bool | None:  # and member-svc shows it to the member
        return True if (await member.http.get("/policies")).json()["items"] else None

    await eventually(covered, within=60)
    await eventually(listed, within=60)
    await phone.context.grant_permissions(["geolocation"])
    await phone.context.set_geolocation(WUSI_ROAD)

    # At the roadside: the claims tab, signing in on the way.
    await phone.goto("/h5/claims")
    await sign_in_by_sms(phone, cheyou, member.phone)
    await expect(phone.get_by_text("您还没有理赔案件")).to_be_visible()
    await shots(await settled(phone), "claims-tab-new-member")
    assert await axe(await settled(phone)) == []

    # The one-click report: the policy is checked for cover, the place comes from the phone.
    await phone.get_by_role("button", name="一键报案").click()
    await expect(phone.get_by_text(f"{policy_no}")).to_be_visible()
    await expect(phone.get_by_text("保障有效")).to_be_visible()
    await phone.get_by_text("单车事故").click()
    await phone.get_by_label("事故原因").select_option("scrape")
    await phone.get_by_label("出险地点").fill(PLACE)
    await phone.get_by_role("button", name="获取当前位置").click()
    await expect(phone.get_by_text("已定位（26.0745, 119.2965）")).to_be_visible()
    await phone.get_by_label("事故经过").fill("倒车时右后方刮到路边护栏")
    await shots(await settled(phone), "report-filled")
    assert await axe(await settled(phone)) == []
    await phone.get_by_role("button", name="提交报案").click()

    # The claim: its number, the next step (photos) and the timeline in words.
    await expect(phone.get_by_text("待拍照查勘")).to_be_visible()
    claim_id = phone.url.rstrip("/").split("/")[-1]
    claim = (await member.http.get(f"/claims/{claim_id}")).json()
    assert (claim["status"], claim["policy_no"], claim["location"]["address"]) == (
        "survey_pending",
        policy_no,
        PLACE,
    )
    await expect(phone.get_by_text(f"报案号 {claim['claim_no']}", exact=True)).to_be_visible()
    await expect(phone.get_by_text("报案成功，报案号")).to_be_visible()
    await shots(await settled(phone), "claim-reported")

    # The guided survey: each required shot, one tip and one example picture each, through the camera input.
    await phone.get_by_role("button", name="拍照查勘").click()
    await expect(phone.get_by_text(f"已完成 0/{len(REQUIRED)}")).to_be_visible()
    await shots(await settled(phone), "survey-shot-list")
    assert await axe(await settled(phone)) == []
    for index, label in enumerate(REQUIRED, start=1):
        await phone.get_by_label(f"拍照：{label}").set_input_files(
            files=[FilePayload(name=f"IMG_{index:04d}.jpg", mimeType="image/jpeg", buffer=claim_photo())]
        )
        await expect(phone.get_by_text(f"已完成 {index}/{len(REQUIRED)}")).to_be_visible()
        if index == 4:
            await shots(await settled(phone), "survey-four-photos")
    await expect(phone.get_by_role("img", name="碰撞部位的照片")).to_be_visible()
    await shots(await settled(phone), "survey-all-photos")
    await phone.get_by_role("button", name="提交照片").click()
    await expect(phone.get_by_text("照片已提交，查勘员会尽快审核")).to_be_visible()
    await shots(await settled(phone), "survey-submitted")
    assert (await member.http.get(f"/claims/{claim_id}")).json()["status"] == "survey_submitted"

    # The surveyor asks for the contact point again.
    surveyor = staff["surveyor1"]
    assert (await surveyor.post(f"/surveys/{claim_id}/assignment")).status_code == 200
    asked = await surveyor.post(
        f"/surveys/{claim_id}/reshoot-request", json={"slots": ["contact_point"], "note": NOTE}
    )
    assert asked.json()["status"] == "reshoot_requested", asked.text

    # The member opens the claim again: the request and the surveyor's note stand against that exact shot.
    await phone.goto(f"/h5/claims/{claim_id}")
    await expect(phone.get_by_text("需补拍照片")).to_be_visible()
    await expect(phone.get_by_text("查勘员请您补拍 1 张照片")).to_be_visible()
    await phone.get_by_role("button", name="拍照查勘").click()
    asked_shot = phone.get_by_role("article", name="1. 碰撞部位")
    await expect(asked_shot.get_by_text(f"查勘员留言：{NOTE}")).to_be_visible()
    await expect(asked_shot.get_by_text("需重拍")).to_be_visible()
    await expect(phone.get_by_text("已完成 0/1")).to_be_visible()
    await expect(phone.get_by_label("拍照：车头前方全景")).to_have_count(0)  # only the asked shot may change
    await shots(await settled(phone), "reshoot-requested")
    assert await axe(await settled(phone)) == []

    await phone.get_by_label("拍照：碰撞部位").set_input_files(
        files=[FilePayload(name="IMG_0100.jpg", mimeType="image/jpeg", buffer=claim_photo())]
    )
    await expect(phone.get_by_text("已完成 1/1")).to_be_visible()
    await phone.get_by_role("button", name="提交补拍照片").click()
    await expect(phone.get_by_text("照片已提交，查勘员会尽快审核")).to_be_visible()
    await shots(await settled(phone), "reshoot-resubmitted")

    # Back on the claim: the timeline tells the story in words; the surveyor has the new photo.
    await phone.goto(f"/h5/claims/{claim_id}")
    await expect(phone.get_by_text("查勘审核中")).to_be_visible()
    await expect(phone.get_by_text("已上传照片：碰撞部位。").first).to_be_visible()
    await shots(await settled(phone), "claim-timeline")
    assert await axe(await settled(phone)) == []
    case = (await surveyor.get(f"/surveys/{claim_id}")).json()
    assert case["claim_status"] == "survey_submitted"
    rounds = {p["slot"]: p["round"] for p in case["photos"]}
    assert rounds["contact_point"] > rounds["front_view"]  # the re-shot one is the surveyor's now
    assert set(rounds) == set(SLOTS)
