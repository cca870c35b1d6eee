"""Invitation outreach (issue 21, feature 1), through the gateway: ops import an invitation list with the
consent basis of each row; the invitees with one get an SMS with their personal join link (the fake SMS
provider), one of them opens it, joins with the inviting manager (the phone proven) and is verified, and
counts in the list's and the manager's conversion; an invitee who replied TD through the SMS provider and
one who used the unsubscribe link get no reminder, while an invitee who did nothing does.

Marketing waits for the morning and the platform under test runs inside quiet hours (``conftest.py``):
the test moves a held invitation's ``not_before`` to now ("the morning came") and the invitees' reminder
dates three days back ("three days passed"), as an operator would see it happen, and the services' own
jobs (the dispatcher, notify-svc's reminder job) do the rest.
"""

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
from cheyou_demo import Platform, id_number, phone_number, plate
from cheyou_devinfra.platform import SERVICES, Service
from cheyou_devinfra.provisioning import database_dsn
from cheyou_kit.testing import eventually

NOTIFY = next(s for s in SERVICES if s.name == "notify-svc")
HEADER = "name,id_number,phone,region_code,plate,vin,manager_id,consent_basis,consent_ref,openid"


class Notify:
    """notify-svc's database, as the operator's psql sees it: where held messages and reminders wait."""

    def __init__(self, server_dsn: str, service: Service) -> None:
        self.dsn = database_dsn(server_dsn, service.database_name)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def morning_comes(self, member_ids: list[str], template: str) -> int:
        """The end of quiet hours for these invitees' held messages of ``template``."""
        rows = await self.fetch(
            "UPDATE messages SET not_before = now() WHERE member_id = ANY($1::text[]) "
            "AND template_code = $2 AND status = 'pending' RETURNING id",
            member_ids,
            template,
        )
        return len(rows)

    async def days_pass(self, list_id: str, days: int) -> None:
        """``days`` go by for the list's invitees: their invitation and next reminder move back."""
        await self.fetch(
            "UPDATE invitees SET invited_at = invited_at - make_interval(days => $2), "
            "next_reminder_at = next_reminder_at - make_interval(days => $2) WHERE list_id = $1",
            list_id,
            days,
        )

    async def messages(self, member_id: str, template: str) -> list[asyncpg.Record]:
        return await self.fetch(
            "SELECT channel, status, not_before FROM messages WHERE member_id = $1 AND template_code = $2",
            member_id,
            template,
        )


@pytest.fixture(scope="module")
def notify(platform_postgres_dsn: str) -> Notify:
    return Notify(platform_postgres_dsn, NOTIFY)


def _person(cheyou: Platform, name: str) -> dict[str, str]:
    return {
        "name": name,
        "id_number": id_number(cheyou.rng),
        "phone": phone_number(cheyou.rng),
        "region_code": "350102",
        "plate": plate(cheyou.rng),
    }


def _csv(rows: list[tuple[dict[str, str], str]]) -> str:
    lines = [HEADER]
    for person, consent in rows:
        fields = [
            person["name"],
            person["id_number"],
            person["phone"],
            person["region_code"],
            person["plate"],
        ]
        lines.append(
            ",".join([*fields, "", "manager1", consent, f"ref-{uuid.uuid4().hex[:6]}" if consent else "", ""])
        )
    return "\n".join(lines) + "\n"


async def _texts(cheyou: Platform, phone: str, *, with_link: bool = True) -> list[dict[str, Any]]:
    """The texts the fake SMS provider took for ``phone`` that carry an invitation link."""
    items = await cheyou.sms_messages(phone)
    return (
        [m for m in items if "invitation=" in str(m["template_param"].get("link", ""))]
        if with_link
        else items
    )


async def _invitation_text(cheyou: Platform, phone: str, count: int = 1) -> dict[str, Any]:
    async def arrived() -> list[dict[str, Any]] | None:
        texts = await _texts(cheyou, phone)
        return texts if len(texts) >= count else None

    texts = await eventually(arrived, within=60)
    return texts[count - 1]


async def _manager_row(ops: httpx.AsyncClient) -> dict[str, Any]:
    """manager1's row of the conversion by inviting manager (zeros before their first invitation)."""
    rows = (await ops.get("/member-reports/invitations", params={"by": "manager"})).json()["rows"]
    empty = {"key": "manager1", "invited": 0, "opened": 0, "applied": 0, "verified": 0, "opted_out": 0}
    return next((r for r in rows if r["key"] == "manager1"), empty)


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["invitation"][0]


async def test_an_invitation_list_converts_through_the_personal_link_and_opt_outs_get_no_reminder(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], notify: Notify
) -> None:
    ops, reviewer, manager = staff["ops1"], staff["reviewer1"], staff["manager1"]
    card = (await manager.get("/managers/manager1")).json()
    kpi_before = (await manager.get("/managers/manager1/kpis")).json()
    by_manager_before = await _manager_row(ops)
    joiner, replier, leaver, silent, unconsented = (
        _person(cheyou, name) for name in ("林晓东", "陈丽华", "黄建平", "张秀英", "吴志强")
    )

    # Ops import the list: four rows with a consent basis, one without (recorded, never contacted).
    filename = f"鼓楼续保客户-{uuid.uuid4().hex[:6]}.csv"
    body = _csv(
        [
            (joiner, "written"),
            (replier, "online"),
            (leaver, "recorded_call"),
            (silent, "policy_form"),
            (unconsented, ""),
        ]
    )
    imported = await ops.post(
        "/members/imports",
        params={"filename": filename},
        content=body.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    report = imported.json()
    assert (report["rows"], report["created"], report["invalid"]) == (5, 5, 0)
    assert [r["contacted"] for r in report["report"]] == [True, True, True, True, False]
    list_id = report["id"]
    member_of = {
        person["phone"]: str(r["member_id"])
        for person, r in zip((joiner, replier, leaver, silent, unconsented), report["report"], strict=True)
    }
    contacted = [member_of[p["phone"]] for p in (joiner, replier, leaver, silent)]

    # The invitation waits for the morning (marketing, inside quiet hours); then it goes out by SMS.
    async def held() -> int | None:
        rows = [await notify.messages(m, "invitation") for m in contacted]
        return len(rows) if all(r and r[0]["status"] == "pending" for r in rows) else None

    await eventually(held, within=60)
    assert await _texts(cheyou, joiner["phone"]) == []
    assert await notify.morning_comes(contacted, "invitation") == 4
    texts = {
        p["phone"]: await _invitation_text(cheyou, p["phone"]) for p in (joiner, replier, leaver, silent)
    }
    assert await cheyou.sms_messages(unconsented["phone"]) == []
    first = texts[joiner["phone"]]["template_param"]
    assert first["manager"] == f"客户经理{card['display_name']}"
    assert f"manager_code={card['invite_code']}" in first["link"]
    assert "/h5/join?" in first["link"]
    assert _token(first["unsubscribe"]) == _token(first["link"])
    assert "/h5/unsubscribe?" in first["unsubscribe"]

    # The joiner opens the personal link: the join page shows who invites (the opening is counted).
    anonymous = cheyou.client()
    opened = await anonymous.get(f"/invitations/{_token(first['link'])}")
    assert opened.status_code == 200, opened.text
    assert opened.json()["manager"]["display_name"] == card["display_name"]
    assert opened.json()["manager_code"] == card["invite_code"]
    assert opened.json()["status"] == "open"
    assert opened.json()["name_masked"].startswith("林")
    assert (await anonymous.get(f"/invitations/{'x' * 30}")).status_code == 404

    # ... and joins with the manager's code from the link, the list's phone proven by SMS code.
    proof = await cheyou.phone_proof(joiner["phone"])
    applied = await cheyou.client(**{"X-Phone-Proof": proof}).post(
        "/members",
        json={
            "name": joiner["name"],
            "id_number": joiner["id_number"],
            "phone": joiner["phone"],
            "region_code": joiner["region_code"],
            "vehicles": [{"plate": joiner["plate"]}],
            "channel": "web",
            "manager_code": parse_qs(urlsplit(first["link"]).query)["manager_code"][0],
        },
    )
    assert applied.status_code == 202, applied.text
    signed_in = await cheyou.client().post("/auth/phone-proof", json={"phone_proof": proof})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["member_id"] == member_of[joiner["phone"]]  # the invitation, taken up
    await cheyou.verify(reviewer, member_of[joiner["phone"]])
    member = (await manager.get(f"/members/{member_of[joiner['phone']]}")).json()
    assert (member["status"], member["manager_id"]) == ("verified", "manager1")

    # One invitee texts TD back through the provider; another uses the unsubscribe link.
    async with httpx.AsyncClient(timeout=10) as http:
        replied = await http.post(
            f"{cheyou.sms}/_fake/replies", json={"phone": replier["phone"], "content": "TD"}
        )
    assert replied.json()["taken"] is True, replied.text
    leave = _token(texts[leaver["phone"]]["template_param"]["unsubscribe"])
    assert (await anonymous.post("/unsubscriptions", json={"token": "y" * 30})).status_code == 404
    unsubscribed = await anonymous.post("/unsubscriptions", json={"token": leave})
    assert unsubscribed.status_code == 200, unsubscribed.text

    # The list's conversion: 4 invited, 1 opened, 1 applied, 1 verified, 2 opted out.
    async def by_list() -> dict[str, Any] | None:
        rows = (await ops.get("/member-reports/invitations", params={"by": "list"})).json()["rows"]
        row = next((r for r in rows if r["key"] == list_id), None)
        return row if row is not None and row["verified"] == 1 and row["opted_out"] == 2 else None

    row = await eventually(by_list, within=60)
    assert row["filename"] == filename
    assert {k: row[k] for k in ("invited", "opened", "applied", "verified", "opted_out")} == {
        "invited": 4,
        "opened": 1,
        "applied": 1,
        "verified": 1,
        "opted_out": 2,
    }
    assert row["conversion"] == 0.25
    mine = await _manager_row(ops)
    assert mine["invited"] - by_manager_before["invited"] == 4
    assert mine["verified"] - by_manager_before["verified"] == 1
    assert mine["opted_out"] - by_manager_before["opted_out"] == 2
    kpi = (await manager.get("/managers/manager1/kpis")).json()
    assert kpi["invited"] == kpi_before["invited"] + 4
    assert kpi["invitations_verified"] == kpi_before["invitations_verified"] + 1
    assert kpi["invitation_conversion"] == round(kpi["invitations_verified"] / kpi["invited"], 4)

    # Three days pass: only the invitee who did nothing is reminded; the opted-out and the joiner are not.
    await notify.days_pass(list_id, 3)
    silent_id = member_of[silent["phone"]]

    async def reminder_queued() -> list[asyncpg.Record] | None:
        return await notify.messages(silent_id, "invitation_reminder") or None

    await eventually(reminder_queued, within=90)
    assert await notify.morning_comes([silent_id], "invitation_reminder") == 1
    reminder = await _invitation_text(cheyou, silent["phone"], count=2)
    assert reminder["template_param"]["link"] == texts[silent["phone"]]["template_param"]["link"]
    for person in (replier, leaver, joiner):
        assert await notify.messages(member_of[person["phone"]], "invitation_reminder") == []
        assert len(await _texts(cheyou, person["phone"])) == 1  # the invitation only
    # And no marketing text reaches the numbers that opted out, invitation or not.
    stopped = await notify.fetch("SELECT via FROM sms_opt_outs ORDER BY via")
    assert {r["via"] for r in stopped} >= {"sms_reply", "unsubscribe_link"}
