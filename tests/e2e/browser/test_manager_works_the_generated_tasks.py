"""Managers' generated work and invitation outreach on the screens (issue 21, features 4 and 1): a manager
on a phone sees a renewal-due task with the customer's context, records the call and the task closes; a
customer invited from an imported list opens the personal link from the text and sees the manager who
invites them on the join page."""

import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
from cheyou_demo import Platform, id_number, phone_number
from cheyou_devinfra.platform import SERVICES
from cheyou_devinfra.provisioning import database_dsn
from cheyou_kit.testing import eventually
from playwright.async_api import Page, expect


async def test_manager_sees_a_renewal_due_with_the_customers_context_records_the_call_and_the_task_closes(
    phone: Page, cheyou: Platform, staff: dict[str, httpx.AsyncClient], shots: Any, axe: Any
) -> None:
    manager, ops = staff["manager1"], staff["ops1"]
    invite_code = (await manager.get("/managers/manager1")).json()["invite_code"]
    member = await cheyou.member(ops, staff["reviewer1"], manager_code=invite_code)
    policy = cheyou.policy_issued(member, 356_000)
    ends_on = date.today() + timedelta(days=12)
    policy["data"]["ends_on"] = ends_on.isoformat()
    await cheyou.feed(staff["admin"], policy)
    policy_no = policy["data"]["policy_no"]

    # The hourly job makes the day's work; ops may run it now (a repeat adds nothing).
    async def renewal_task() -> dict[str, Any] | None:
        await ops.post("/managers/task-runs")
        tasks = (await manager.get("/managers/manager1/tasks", params={"kind": "renewal_due"})).json()
        return next((t for t in tasks if t["context"].get("policy_no") == policy_no), None)

    task = await eventually(renewal_task, within=60)
    customer = task["customer"]["name_masked"]

    # The manager signs in on the phone and opens 我的任务.
    await phone.goto("/console/manager/tasks")
    await phone.get_by_label("用户名").fill("manager1")
    await phone.get_by_label("密码").fill("cheyou-demo-2026")
    await phone.get_by_role("button", name="登录").click()
    await phone.get_by_role("combobox", name="任务类型").click(force=True)
    await phone.get_by_role("option", name="续保到期").click()
    card = phone.get_by_test_id("task").filter(has_text=policy_no)
    await expect(card).to_contain_text(customer)
    await expect(card).to_contain_text("续保到期")
    await expect(card).to_contain_text(member.plate)
    await expect(card).to_contain_text(ends_on.isoformat())
    await expect(card).to_contain_text("¥3,560.00")
    await expect(card).to_contain_text("普通")  # due in 12 days: a week before it ends
    await expect(card).to_contain_text(f"应于 {(ends_on - timedelta(days=7)).isoformat()} 前完成")
    await shots(phone, "renewal-due")
    assert await axe(phone) == []
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The call is recorded: the kind is the renewal contact the task asks for.
    await card.get_by_role("button", name="记录续保联系并完成").click()
    dialog = phone.get_by_role("dialog", name="记录拜访")
    await expect(dialog.get_by_test_id("visit-who")).to_contain_text(f"{customer} · 续保到期")
    await dialog.get_by_role("radio", name="电话").check(force=True)
    await dialog.get_by_label("拜访记录").fill("电话联系续保，客户同意下周到网点办理")
    await shots(phone, "record-the-call")
    await dialog.get_by_role("button", name="保存").click()
    await expect(phone.get_by_text("拜访已记录")).to_be_visible()
    await expect(card).to_have_count(0)

    # It is done: 已完成 shows it closed by the visit.
    await phone.get_by_role("radiogroup").get_by_text("已完成", exact=True).click()  # once the toast is gone
    done = phone.get_by_test_id("task").filter(has_text=policy_no)
    await expect(done).to_contain_text("已完成")
    await expect(done).to_contain_text(customer)
    await shots(phone, "task-done")
    closed = (
        await manager.get("/managers/manager1/tasks", params={"status": "done", "kind": "renewal_due"})
    ).json()
    mine = next(t for t in closed if t["id"] == task["id"])
    assert mine["visit_id"] is not None
    assert mine["closed_at"] is not None
    visits = (await manager.get("/visits", params={"member_id": member.member_id})).json()["items"]
    assert [(v["kind"], v["channel"], v["task_id"]) for v in visits] == [
        ("renewal_contact", "phone", task["id"])
    ]


async def test_an_invitee_opens_the_personal_link_from_the_text_and_sees_the_manager_who_invites(
    phone: Page,
    cheyou: Platform,
    staff: dict[str, httpx.AsyncClient],
    shots: Any,
    axe: Any,
    platform_postgres_dsn: str,
) -> None:
    ops, manager = staff["ops1"], staff["manager1"]
    card = (await manager.get("/managers/manager1")).json()
    number = phone_number(cheyou.rng)
    row = f"林晓东,{id_number(cheyou.rng)},{number},350102,,,manager1,written,ref-{uuid.uuid4().hex[:6]},"
    csv = (
        "name,id_number,phone,region_code,plate,vin,manager_id,consent_basis,consent_ref,openid\n"
        + row
        + "\n"
    )
    imported = await ops.post(
        "/members/imports",
        params={"filename": "鼓楼邀请名单.csv"},
        content=csv.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    invitee = str(imported.json()["report"][0]["member_id"])

    # The invitation is marketing and waits for the morning; the morning comes (the test moves it on).
    notify = next(s for s in SERVICES if s.name == "notify-svc")

    async def morning() -> int | None:
        conn = await asyncpg.connect(database_dsn(platform_postgres_dsn, notify.database_name))
        try:
            moved = await conn.fetch(
                "UPDATE messages SET not_before = now() WHERE member_id = $1 "
                "AND template_code = 'invitation' AND status = 'pending' RETURNING id",
                invitee,
            )
        finally:
            await conn.close()
        return len(moved) or None

    await eventually(morning, within=60)

    async def text() -> str | None:
        for message in await cheyou.sms_messages(number):
            link = str(message["template_param"].get("link", ""))
            if "invitation=" in link:
                return link
        return None

    link = await eventually(text, within=60)
    path = link[link.index("/h5/") :]

    # The invitee opens the link on the phone: the join page says who invites them.
    await phone.goto(path)
    invitation = phone.get_by_role("region", name="您的入会邀请")
    await expect(invitation).to_contain_text(
        f"您的客户经理 {card['display_name']}（{card['team']}）诚邀您加入车友俱乐部"
    )
    await expect(invitation).to_contain_text(f"工号 {card['staff_number']}")
    await expect(invitation).to_contain_text("林")
    await expect(invitation).to_contain_text("请用收到邀请短信的手机号申请")
    await expect(phone.get_by_role("heading", name="加入车友俱乐部")).to_be_visible()
    await expect(phone.get_by_label("姓名")).to_be_visible()
    await shots(phone, "join-page-from-the-invitation")
    assert await axe(phone) == []
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The opening is counted in the list's conversion.
    async def opened() -> dict[str, Any] | None:
        rows = (await ops.get("/member-reports/invitations", params={"by": "list"})).json()["rows"]
        mine = next((r for r in rows if r["key"] == imported.json()["id"]), None)
        return mine if mine is not None and mine["opened"] == 1 else None

    assert (await eventually(opened, within=30))["invited"] == 1

    # A link cut off when copied still leads to the form, and says so.
    await phone.goto("/h5/join?invitation=abc")
    await expect(phone.get_by_role("button", name="提交申请")).to_be_visible()
    await phone.goto(f"/h5/join?invitation={'z' * 30}")
    await expect(phone.get_by_test_id("invitation-unknown")).to_contain_text("您仍可以直接申请入会")
    await shots(phone, "unknown-invitation")
