"""Flow 6 (a manager's invite → registration → phone verification → on the manager's list) and flow 1
(a renewal lifts the tier → new entitlements → a WeChat message and an inbox entry), through the gateway."""

from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx
from cheyou_demo import Member, Platform, id_number, phone_number
from cheyou_kit.testing import eventually

T = TypeVar("T")


async def _json_when(http: httpx.AsyncClient, url: str, accept: Any, **params: Any) -> Any:
    async def probe() -> Any:
        response = await http.get(url, params=params)
        if response.status_code != 200:
            return None
        body = response.json()
        return body if accept(body) else None

    return await eventually(probe, within=30)


async def test_an_applicant_self_registers_with_a_managers_invite_code(cheyou: Platform) -> None:
    """The QR on the manager's card leads a customer who is not yet a member to the registration form:
    a code to their phone first (its proof goes with the form), then they are signed in without another."""
    manager = await cheyou.staff("manager1")
    invite_code = (await manager.get("/managers/manager1")).json()["invite_code"]
    phone = phone_number(cheyou.rng)
    proof = await cheyou.phone_proof(phone)
    applicant = cheyou.client(**{"X-Phone-Proof": proof})  # not a member yet: only the proven phone

    response = await applicant.post(
        "/members",
        json={
            "name": "林晓东",
            "id_number": id_number(cheyou.rng),
            "phone": phone,
            "channel": "wechat",
            "manager_code": invite_code,
        },
    )
    signed_in = await cheyou.client().post("/auth/phone-proof", json={"phone_proof": proof})

    assert response.status_code == 202, response.text
    assert signed_in.status_code == 200, signed_in.text
    member = cheyou.client(Authorization=f"Bearer {signed_in.json()['access_token']}")
    application = await member.get(f"/members/{signed_in.json()['member_id']}/application")
    assert application.json()["status"] == "queued"


async def test_an_invited_customer_is_verified_by_phone_and_appears_on_the_managers_visit_plan(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    manager, ops, reviewer, admin = staff["manager1"], staff["ops1"], staff["reviewer2"], staff["admin"]
    invite_code = (await manager.get("/managers/manager1")).json()["invite_code"]
    member = await cheyou.register(ops, manager_code=invite_code, channel="wechat")
    application = (await member.http.get(f"/members/{member.member_id}/application")).json()
    assert application["status"] in {"pending", "waiting", "queued", "in_review"}, application

    approved = await cheyou.verify(reviewer, member.member_id)

    assert approved["status"] == "approved"
    assert approved["callbacks"][0]["outcome"] == "reached"
    me = await _json_when(member.http, f"/members/{member.member_id}", lambda m: m["status"] == "verified")
    assert me["manager_id"] == "manager1"
    customers = await _json_when(
        manager,
        "/managers/manager1/customers",
        lambda page: any(c["member_id"] == member.member_id for c in page["items"]),
        limit=200,
    )
    assert customers
    # A star customer must be visited: once the policies make them three-star, the visit is due.
    issued = cheyou.policy_issued(member, 900_000)
    await cheyou.feed(admin, issued)
    plan = await _json_when(
        manager,
        "/managers/manager1/visit-plan",
        lambda entries: any(e["member_id"] == member.member_id for e in entries),
    )
    entry = next(e for e in plan if e["member_id"] == member.member_id)
    assert entry["tier"] == "three_star"
    assert entry["visits_this_year"] == 0
    assert entry["status"] in {"overdue", "due", "scheduled"}
    assert entry["next_due_on"] is not None
    # Another manager never sees this customer.
    other = await staff["manager2"].get(f"/members/{member.member_id}")
    assert other.status_code in (403, 404)


async def _renewed_to_three_star(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> Member:
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    await _json_when(member.http, f"/members/{member.member_id}/tier", lambda t: t["tier"] == "ordinary")
    await _json_when(member.http, f"/entitlements/{member.member_id}", lambda e: e["tier"] == "ordinary")
    await cheyou.feed(staff["admin"], cheyou.policy_renewed(member, issued["data"]["policy_no"], 700_000))
    return member


async def test_a_renewal_lifts_the_tier_and_the_member_hears_of_the_new_privileges(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    before_renewal: dict[str, Any] = {}
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    ordinary = await _json_when(
        member.http, f"/entitlements/{member.member_id}", lambda e: e["tier"] == "ordinary"
    )
    before_renewal = {item["privilege_code"]: item["mode"] for item in ordinary["items"]}

    await cheyou.feed(staff["admin"], cheyou.policy_renewed(member, issued["data"]["policy_no"], 700_000))

    tier = await _json_when(
        member.http, f"/members/{member.member_id}/tier", lambda t: t["tier"] == "three_star"
    )
    assert tier["contribution_fen"] >= 600_000
    star = await _json_when(
        member.http, f"/entitlements/{member.member_id}", lambda e: e["tier"] == "three_star"
    )
    after = {item["privilege_code"]: item for item in star["items"]}
    assert after["after_drinking_driving"]["mode"] == "free"
    assert before_renewal.get("after_drinking_driving") != "free"
    newly_free = {
        code for code, item in after.items() if item["mode"] == "free" and before_renewal.get(code) != "free"
    }
    assert newly_free

    inbox = await _json_when(
        member.http,
        f"/inbox/{member.member_id}",
        lambda page: any(after["after_drinking_driving"]["name"] in i["body"] for i in page["items"]),
    )
    pushes = [i for i in inbox["items"] if i["template_code"] == "entitlements_changed"]
    assert len(pushes) == 2  # one per tier change (→ ordinary, → three-star), none delivered twice
    messages = await eventually(lambda: _some(cheyou.wechat_messages(member.openid)), within=30)
    assert len(messages) >= 1
    me = await member.http.get("/me")
    assert me.status_code == 200, me.text
    assert "three_star" in me.text


async def _some(awaitable: Awaitable[list[T]]) -> list[T] | None:
    items = await awaitable
    return items or None
