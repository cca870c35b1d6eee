"""Flow 3: an online claim through the gateway — report, liability, the guided photo survey with a re-shoot,
documents, settlement — seen by the member in the timeline; the settlement opens a post-claim callback
task for the member's manager in member-svc; a second claim is withdrawn (and opens no task)."""

from typing import Any

import httpx
from cheyou_demo import Member, Platform, phone_number
from cheyou_kit.testing import eventually

PDF = b"%PDF-1.4\n%%EOF\n"
DOCUMENTS = [
    "id_card",
    "driving_licence",
    "vehicle_licence",
    "bank_card",
    "repair_invoice",
    "police_certificate",
]


async def insured_member(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> tuple[Member, str]:
    """A verified customer of manager1 with a commercial policy on their car, known to claims-svc."""
    invite_code = (await staff["manager1"].get("/managers/manager1")).json()["invite_code"]
    member = await cheyou.member(staff["ops1"], staff["reviewer1"], manager_code=invite_code)
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    return member, issued["data"]["policy_no"]


async def upload(member: Member, claim_id: str, slot: str, photo: bytes) -> httpx.Response:
    return await member.http.post(
        f"/claims/{claim_id}/survey/photos",
        data={"slot": slot},
        files={"file": ("photo.jpg", photo, "image/jpeg")},
    )


async def test_a_member_claims_online_and_the_manager_gets_a_callback_task(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], report: Any, claim_photo: Any
) -> None:
    member, policy_no = await insured_member(cheyou, staff)
    surveyor, ops, manager = staff["surveyor1"], staff["ops1"], staff["manager1"]
    other_phone = phone_number(cheyou.rng)
    claim = await report(
        member,
        policy_no,
        police_called=True,
        other_party={"name": "王五", "plate": "闽A88888", "phone": other_phone, "insurer": "某财险"},
    )
    url = f"/claims/{claim['id']}"
    assert claim["status"] == "reported"

    # The liability assistant: the other party changed lanes; the member confirms, and the other party
    # proves their agreement with the code texted to their own phone, typed into the member's.
    proposed = await member.http.post(
        f"{url}/liability", json={"member_scenarios": [], "other_scenarios": ["lane_change"]}
    )
    assert proposed.status_code in (200, 201), proposed.text
    assert (proposed.json()["member_liability"], proposed.json()["other_liability"]) == ("none", "full")
    mine = await member.http.post(f"{url}/liability/confirmations", json={"party": "member", "agree": True})
    assert mine.status_code in (200, 201), mine.text
    sent = await member.http.post(f"{url}/liability/confirmation-requests")
    assert sent.status_code == 201, sent.text
    (text,) = await cheyou.sms_messages(other_phone)
    assert text["template_param"]["liability"] == "全部责任"  # what the other party agrees to
    theirs = await member.http.post(
        f"{url}/liability/confirmations",
        json={"party": "other_party", "agree": True, "code": text["template_param"]["code"]},
    )
    assert theirs.json()["claim_status"] == "survey_pending", theirs.text

    # The guided survey: every required shot, submitted; the surveyor asks for one again.
    survey = (await member.http.get(f"{url}/survey")).json()
    assert survey["missing_required"]
    for slot in survey["missing_required"]:
        uploaded = await upload(member, claim["id"], slot, claim_photo())
        assert uploaded.status_code == 201, uploaded.text
    assert (await member.http.post(f"{url}/survey/submission")).status_code == 200
    taken = await surveyor.post(f"/surveys/{claim['id']}/assignment")
    assert taken.status_code == 200, taken.text
    asked = await surveyor.post(
        f"/surveys/{claim['id']}/reshoot-request",
        json={"slots": ["contact_point"], "note": "请让两车碰撞部位同框"},
    )
    assert asked.json()["status"] == "reshoot_requested", asked.text
    survey = (await member.http.get(f"{url}/survey")).json()
    assert survey["missing_required"] == ["contact_point"]
    assert survey["reshoot_note"] == "请让两车碰撞部位同框"
    assert (
        await upload(member, claim["id"], "front_view", claim_photo())
    ).status_code == 409  # only the asked slot
    assert (await upload(member, claim["id"], "contact_point", claim_photo())).status_code == 201
    assert (await member.http.post(f"{url}/survey/submission")).status_code == 200
    confirmed = await surveyor.post(f"/surveys/{claim['id']}/confirmation", json={"amount_fen": 420_000})
    assert confirmed.json()["status"] == "documents_pending", confirmed.text

    # Documents (with the police certificate this claim needs), then the adjuster settles.
    for kind in DOCUMENTS:
        document = await member.http.post(
            f"{url}/documents", data={"kind": kind}, files={"file": ("scan.pdf", PDF, "application/pdf")}
        )
        assert document.status_code == 201, document.text
    assert document.json()["claim_status"] == "adjudicating"
    approved = await ops.post(f"{url}/adjudication", json={"decision": "approved", "amount_fen": 420_000})
    assert approved.status_code == 200, approved.text
    paid = await ops.post(f"{url}/payment", json={"amount_fen": 420_000})
    assert paid.json()["paid_amount_fen"] == 420_000, paid.text
    assert (await ops.post(f"{url}/closure")).json()["status"] == "closed"

    # What the member sees: every step in order, in words.
    steps = (await member.http.get(f"{url}/timeline", params={"limit": 100})).json()["items"]
    assert list(dict.fromkeys(s["status"] for s in steps)) == [
        "reported",
        "liability_pending",
        "liability_agreed",
        "survey_pending",
        "survey_submitted",
        "reshoot_requested",
        "loss_confirmed",
        "documents_pending",
        "adjudicating",
        "approved",
        "paid",
        "closed",
    ]
    assert "4,200.00" in steps[-2]["text"]
    mine_only = await member.http.get("/claims", params={"member_id": member.member_id})
    assert [c["id"] for c in mine_only.json()["items"]] == [claim["id"]]

    # The settlement reaches member-svc: manager1 has a callback task for this claim, once.
    async def callback_tasks() -> list[dict[str, Any]] | None:
        tasks = (await manager.get("/managers/manager1/tasks")).json()
        found = [
            t for t in tasks if t["member_id"] == member.member_id and t["kind"] == "post_claim_callback"
        ]
        return found or None

    tasks = await eventually(callback_tasks, within=30)
    assert len(tasks) == 1
    assert claim["id"] in tasks[0]["source_ref"]
    assert tasks[0]["status"] == "open"
    # The other manager does not see it.
    assert (await staff["manager2"].get("/managers/manager1/tasks")).status_code in (403, 404)

    # A second claim (a single-vehicle scrape) is withdrawn by the member before adjudication.
    second = await report(member, policy_no, accident_type="single_vehicle", loss_cause="scrape")
    withdrawn = await member.http.post(
        f"/claims/{second['id']}/withdrawal", json={"reason": "损失轻微，自行修理"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["outcome"] == "withdrawn"
    assert withdrawn.json()["claim"]["status"] == "withdrawn"
    second_steps = (await member.http.get(f"/claims/{second['id']}/timeline")).json()["items"]
    assert second_steps[-1]["status"] == "withdrawn"
    again = await member.http.post(f"/claims/{second['id']}/withdrawal", json={"reason": "再次撤案"})
    assert again.status_code == 409
    # Still exactly one callback task: a withdrawal is not a settlement.
    settled_claims = {t["source_ref"] for t in await callback_tasks() or []}
    assert len(settled_claims) == 1
    # And nobody else reads this member's claims.
    other = await cheyou.member(ops, staff["reviewer1"])
    assert (await other.http.get(url)).status_code == 404
    assert (await other.http.get(f"{url}/timeline")).status_code == 404
