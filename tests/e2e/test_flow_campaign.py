"""Flow 5: a segmented campaign (tier × gender × region) reaches exactly the members it targets — on WeChat
(the fake provider's received messages) and in the inbox — respects a member's marketing opt-out, and
holds marketing during quiet hours while a reminder goes out at once.

The platform under test runs with quiet hours around the time of the run (see ``conftest.py``), so the
marketing campaign is always inside them and the reminder campaign shows the same audience being reached.
"""

import random
from functools import partial
from typing import Any

import httpx
from cheyou_demo import Member, Platform
from cheyou_kit.testing import eventually

REMINDER: dict[str, Any] = {
    "template_code": "weather_alert",
    "variables": {"region": "平潭", "alert": "台风橙色预警"},
}
MARKETING: dict[str, Any] = {
    "template_code": "campaign_generic",
    "variables": {"title": "秋季自驾游", "content": "名额有限"},
}


async def _member(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], region: str, *, female: bool, policy: bool
) -> Member:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"], region_code=region, male=not female)
    if policy:
        await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 400_000))
    return member


async def _campaign(ops: httpx.AsyncClient, segment: dict[str, Any], **body: Any) -> dict[str, Any]:
    created = await ops.post(
        "/campaigns",
        json={"name": "平潭车友", "channels": ["wechat", "inbox"], "segment": segment, **body},
    )
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]

    async def completed() -> dict[str, Any] | None:
        campaign: dict[str, Any] = (await ops.get(f"/campaigns/{campaign_id}")).json()
        return campaign if campaign["status"] == "completed" else None

    return await eventually(completed, within=30)


async def _wechat(cheyou: Platform, member: Member, template_code: str) -> list[dict[str, Any]]:
    return [
        m
        for m in await cheyou.wechat_messages(member.openid)
        if m["template_id"] == f"TPL_{template_code.upper()}"
    ]


async def _inbox(member: Member, template_code: str) -> list[dict[str, Any]]:
    page = (await member.http.get(f"/inbox/{member.member_id}", params={"limit": 100})).json()
    return [i for i in page["items"] if i["template_code"] == template_code]


async def test_a_segmented_campaign_reaches_exactly_its_members_respecting_opt_outs_and_quiet_hours(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    ops = staff["ops1"]
    region = f"6590{random.randrange(10, 100)}"  # a county no other test puts members in
    other_region = "350102"
    targeted = [await _member(cheyou, staff, region, female=True, policy=True) for _ in range(2)]
    opted_out = await _member(cheyou, staff, region, female=True, policy=True)
    outside = {
        "male": await _member(cheyou, staff, region, female=False, policy=True),
        "prospective": await _member(cheyou, staff, region, female=True, policy=False),
        "other region": await _member(cheyou, staff, other_region, female=True, policy=True),
    }
    segment = {"tiers": ["ordinary"], "genders": ["female"], "region_codes": [region]}
    # The opt-out: this member wants no marketing on any channel.
    refused = await opted_out.http.put(
        f"/preferences/{opted_out.member_id}",
        json={"channels": {"marketing": {"wechat": False, "sms": False, "inbox": False}}},
    )
    assert refused.status_code == 200, refused.text

    # notify-svc learns tiers, genders, regions and contacts from member events: wait for the audience.
    async def audience_ready() -> int | None:
        everyone = [*targeted, opted_out, *outside.values()]
        for member in everyone:
            seen = await ops.get(f"/audience/{member.member_id}")
            if seen.status_code != 200 or not seen.json()["has_openid"]:
                return None
        size = (await ops.post("/campaigns/audience-preview", json={"segment": segment})).json()["size"]
        return size if size == 3 else None

    assert await eventually(audience_ready, within=30) == 3

    # A reminder (not held by quiet hours; the marketing opt-out does not cover it) reaches the three.
    reminder = await _campaign(ops, segment, **REMINDER)
    assert {k: reminder["progress"][k] for k in ("audience", "targeted", "opted_out")} == {
        "audience": 3,
        "targeted": 3,
        "opted_out": 0,
    }
    for member in [*targeted, opted_out]:
        sent = await eventually(partial(_pushed, cheyou, member, "weather_alert"), within=30)
        assert len(sent) == 1
        assert sent[0]["data"]["thing2"]["value"] == "台风橙色预警"
        assert len(await _inbox(member, "weather_alert")) == 1

    # The marketing campaign: same segment, the opted-out member skipped, pushes held for the morning.
    marketing = await _campaign(ops, segment, **MARKETING)
    assert {k: marketing["progress"][k] for k in ("audience", "targeted", "opted_out", "queued", "sent")} == {
        "audience": 3,
        "targeted": 2,
        "opted_out": 1,
        "queued": 2,  # waiting for the end of quiet hours
        "sent": 0,
    }
    for member in targeted:
        assert [i["title"] for i in await _inbox(member, "campaign_generic")] == ["秋季自驾游"]
        held = (await ops.get(f"/audience/{member.member_id}/messages", params={"limit": 100})).json()
        pushes = [m for m in held["items"] if m["template_code"] == "campaign_generic"]
        assert [(m["channel"], m["status"], m["attempts"]) for m in pushes] == [("wechat", "pending", 0)]
        assert await _wechat(cheyou, member, "campaign_generic") == []
    assert await _inbox(opted_out, "campaign_generic") == []
    opted_messages = (
        await ops.get(f"/audience/{opted_out.member_id}/messages", params={"limit": 100})
    ).json()
    assert [m for m in opted_messages["items"] if m["template_code"] == "campaign_generic"] == []

    # Nobody outside the segment heard of either campaign (nothing queued, nothing received).
    for why, member in outside.items():
        queued = (await ops.get(f"/audience/{member.member_id}/messages", params={"limit": 100})).json()
        for campaign in (REMINDER, MARKETING):
            code = campaign["template_code"]
            assert [m for m in queued["items"] if m["template_code"] == code] == [], why
            assert await _inbox(member, code) == [], why
            assert await _wechat(cheyou, member, code) == [], why


async def _pushed(cheyou: Platform, member: Member, template_code: str) -> list[dict[str, Any]] | None:
    """The member's WeChat pushes of the template, once there is one."""
    return await _wechat(cheyou, member, template_code) or None
