"""The owner's secretary feeds (issue 21, feature 2): the Fuzhou typhoon season.

The fake violation and weather providers of ``cheyou_fakes.feeds`` push signed items to the gateway's
``/api/v1/feed-webhooks/…`` as the real providers would. A level-2 (orange) typhoon alert for 350100
reaches every member of Fuzhou who has a vehicle — on WeChat, or by SMS for a member who switched WeChat
off for reminders — with the claims-reporting link, at once although the platform under test runs inside
quiet hours (see ``conftest.py``); the level-4 (blue) rainstorm advisory issued just before it waits for
the morning on WeChat, so the typhoon arrives first. Members without a vehicle and members of another
city hear nothing; an alert for a region without members is recorded and skipped, and ops see both.
"""

import asyncio
from collections.abc import Awaitable, Iterator
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest
from cheyou_demo import Member, Platform
from cheyou_devinfra.platform import Service
from cheyou_fakes import feeds, feeds_sim, running
from cheyou_kit.testing import eventually

T = TypeVar("T")

CLAIMS_LINK = "/h5/claims/new"


@pytest.fixture(scope="module")
def providers(services: dict[str, Service]) -> Iterator[dict[str, str]]:
    """Both fake providers, pushing to the platform's gateway."""
    gateway = services["gateway"].url
    with (
        running(feeds.create_app("violations", push_url=f"{gateway}/api/v1/feed-webhooks/violations")) as v,
        running(feeds.create_app("weather", push_url=f"{gateway}/api/v1/feed-webhooks/weather")) as w,
    ):
        yield {"violations": v, "weather": w}


async def _push(provider_url: str, *items: dict[str, Any]) -> dict[str, Any]:
    """Items the provider publishes (and pushes at once); the platform's answer to the push."""
    async with httpx.AsyncClient(base_url=provider_url, timeout=30) as provider:
        sent = (await provider.post("/_fake/items", json={"items": list(items)})).json()
    [push] = sent["pushes"]
    assert push["status"] == 200, push
    answer: dict[str, Any] = push["answer"]
    return answer


async def _known_car(providers: dict[str, str], member: Member) -> None:
    """notify-svc has the member's vehicle: a violation for the plate is matched (the owner's secretary's
    other half, and the vehicles projection arrives after the contact, from the same verification)."""

    async def matched() -> bool | None:
        answer = await _push(providers["violations"], feeds.violation(member.plate))
        if answer["matched"] == 1:
            return True
        await asyncio.sleep(1)  # each try is an item recorded (skipped): try once a second
        return None

    assert await eventually(matched, within=60)


async def _weather_wechat(cheyou: Platform, member: Member) -> list[dict[str, Any]]:
    return [m for m in await cheyou.wechat_messages(member.openid) if m["template_id"] == "TPL_WEATHER_ALERT"]


async def _weather_sms(cheyou: Platform, member: Member) -> list[dict[str, Any]]:
    return [m for m in await cheyou.sms_messages(member.phone) if m["template_code"] == "SMS_WEATHER_ALERT"]


async def _weather_inbox(member: Member) -> list[dict[str, Any]]:
    page = (await member.http.get(f"/inbox/{member.member_id}", params={"limit": 100})).json()
    return [i for i in page["items"] if i["template_code"] == "weather_alert"]


async def test_a_level_2_typhoon_for_fuzhou_reaches_every_car_owner_there_at_once_with_the_claims_link(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], providers: dict[str, str]
) -> None:
    ops, reviewer = staff["ops1"], staff["reviewer1"]
    on_wechat = await cheyou.member(ops, reviewer, region_code="350102")  # 鼓楼区
    by_sms = await cheyou.member(ops, reviewer, region_code="350104")  # 仓山区
    no_car = await cheyou.member(ops, reviewer, region_code="350105", vehicles=[])
    in_xiamen = await cheyou.member(ops, reviewer, region_code="350203")
    # This member reads reminders by text message, not on WeChat.
    switched = await by_sms.http.put(
        f"/preferences/{by_sms.member_id}", json={"channels": {"reminder": {"wechat": False}}}
    )
    assert switched.status_code == 200, switched.text
    for member in (on_wechat, by_sms, in_xiamen):
        await _known_car(providers, member)

    async def knows_no_car() -> bool | None:
        seen = await ops.get(f"/audience/{no_car.member_id}")
        return (seen.status_code == 200 and seen.json()["has_openid"]) or None

    await eventually(knows_no_car, within=30)

    # 21:xx in Fuzhou: a blue rainstorm advisory, then the orange (level-2) typhoon warning.
    rainstorm = feeds.weather_alert("350100", "rainstorm", 4, headline="暴雨蓝色预警")
    typhoon = feeds.weather_alert("350100", "typhoon", 2, headline="台风橙色预警")
    assert (await _push(providers["weather"], rainstorm))["matched"] == 1
    assert (await _push(providers["weather"], typhoon))["matched"] == 1

    async def fanned_out(alert: dict[str, Any]) -> dict[str, Any] | None:
        state: dict[str, Any] = (await ops.get(f"/reminders/weather-alerts/{alert['id']}")).json()
        return state if state.get("status") == "done" else None

    for alert in (rainstorm, typhoon):
        done = await eventually(partial(fanned_out, alert), within=60)
        assert done["level"] == ("blue" if alert is rainstorm else "orange")
        assert done["reached"] >= 2  # these two, and the car owners of Fuzhou other tests made

    # WeChat: the typhoon at once, with the claims-reporting link; the rainstorm waits for the morning.
    [wechat] = await eventually(lambda: _some(_weather_wechat(cheyou, on_wechat)), within=60)
    assert wechat["data"]["thing2"]["value"] == "台风橙色预警"
    assert wechat["url"].endswith(CLAIMS_LINK)
    queued = (await ops.get(f"/audience/{on_wechat.member_id}/messages", params={"limit": 100})).json()
    weather = [
        (m["fact_id"], m["channel"], m["status"])
        for m in queued["items"]
        if m["template_code"] == "weather_alert"
    ]
    assert (f"weather:{rainstorm['id']}", "wechat", "pending") in weather  # held: quiet hours
    assert await _weather_sms(cheyou, on_wechat) == []

    # SMS for the member who switched WeChat off: the typhoon only (blue advisories never go by SMS).
    [text] = await eventually(lambda: _some(_weather_sms(cheyou, by_sms)), within=60)
    assert text["template_param"]["alert"] == "台风橙色预警"
    assert text["template_param"]["link"].endswith(CLAIMS_LINK)
    assert await _weather_wechat(cheyou, by_sms) == []

    # Both have both in the inbox at once, each leading to the claims report.
    for member in (on_wechat, by_sms):
        items = await eventually(partial(_two_in_inbox, member), within=30)
        assert sorted(i["title"] for i in items) == ["天气预警", "天气预警"]
        assert {i["link"] for i in items} == {CLAIMS_LINK}
        assert any("台风橙色预警" in i["body"] for i in items)

    # Nobody without a vehicle, nobody in Xiamen.
    for member in (no_car, in_xiamen):
        assert await _weather_inbox(member) == []
        assert await _weather_wechat(cheyou, member) == []
        assert await _weather_sms(cheyou, member) == []

    # An alert for a region without members is recorded and skipped, not refused; ops see every item.
    icing = feeds.weather_alert("810000", "freezing", 3, headline="道路结冰黄色预警")
    answer = await _push(providers["weather"], icing)
    assert (answer["received"], answer["skipped"]) == (1, 1)
    listed = (await ops.get("/feeds/items", params={"provider": "weather", "limit": 50})).json()["items"]
    outcome = {i["provider_item_id"]: (i["status"], i["reason"]) for i in listed}
    assert outcome[typhoon["id"]] == ("matched", None)
    assert outcome[rainstorm["id"]] == ("matched", None)
    assert outcome[icing["id"]] == ("skipped", "unknown_region")
    skipped = next(i for i in listed if i["provider_item_id"] == icing["id"])
    replayed = await ops.post("/feeds/replays", json={"item_ids": [skipped["id"]]})
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["items"][0]["reason"] == "unknown_region"

    # The same typhoon pushed again changes nothing: nobody is told twice.
    assert (await _push(providers["weather"], typhoon))["duplicates"] == 1
    assert len(await _weather_wechat(cheyou, on_wechat)) == 1


async def _some(awaitable: Awaitable[list[T]]) -> list[T] | None:
    items = await awaitable
    return items or None


async def _two_in_inbox(member: Member) -> list[dict[str, Any]] | None:
    """The member's weather alerts in the inbox, once there are two."""
    items = await _weather_inbox(member)
    return items if len(items) >= 2 else None


async def test_make_feeds_sim_drives_the_running_platform(
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    providers: dict[str, str],
    services: dict[str, Service],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``make feeds-sim`` against this platform: every push answered, the repeat recognised, the items
    listed as ops sees them (matched for members' plates and Fuzhou, skipped with the reason otherwise).
    A Fuzhou car owner of its own, known to notify-svc first, so the test does not lean on another's."""
    owner = await cheyou.member(staff["ops1"], staff["reviewer1"], region_code="350103")  # 台江区
    await _known_car(providers, owner)
    argv = ["--gateway", services["gateway"].url, "--known", "2", "--unknown", "2", "--seed", "7"]
    await asyncio.to_thread(feeds_sim.main, argv)

    printed = capsys.readouterr().out
    assert "→ 200" in printed
    assert "'repeated_delivery': True" in printed
    assert "skipped (unknown_plate)" in printed
    assert "skipped (unknown_region)" in printed
    assert "weather    350100     matched" in printed
