"""Security issue 17 — identity at join and account changes — each attack as an outsider tries it through
the gateway of a running platform (real Postgres, Redis and Kafka), and the refusal.

- High 1: a stranger who knows a policyholder's ID number joins with it and their own phone, and reads
  the holder's policies. Refused: an applicant sees no one's policies; policies attach at verification;
  the reviewer's callback goes to the number the insurer holds, with the name mismatch shown.
- Medium 3: anonymous registration as a membership oracle. Refused: a proven phone first, one answer for
  all, a few tries a day per ID number; and signing in with the phone proof afterwards
  (``POST /auth/phone-proof``) finds an application either way (a held ID number makes a contested one,
  which the reviewer rejects).
- Medium 4: contact changes without proof. Refused: a new sign-in phone needs its code (and the old one
  is told), WeChat binds only through an authorization code.

The module's name sorts before ``test_security_pii``, which then checks that the insurer's contact fed
here is nowhere in clear (databases, logs, topics).
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from cheyou_demo import Platform, id_number, phone_number
from cheyou_kit.testing import eventually


def _policy_issued(cheyou: Platform, id_card: str, holder_phone: str, policy_no: str) -> dict[str, Any]:
    """The insurer's core system announces a policy of someone who is not a member (with its contact)."""
    return {
        "type": "cheyou.policy.issued.v1",
        "id": str(uuid.uuid4()),
        "data": {
            "policy_no": policy_no,
            "customer_no": f"C{uuid.uuid4().hex[:12]}",
            "line": "commercial",
            "vehicle_kind": "household_car",
            "premium_fen": 612_000,
            "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=364)).isoformat(),
            "branch_code": "350100",
            "issued_at": datetime.now(UTC).isoformat(),
            "holder_id_hash": cheyou.holder_id_hash(id_card),
            "holder_name": "陈保户",
            "holder_phone": holder_phone,
            "plate": "闽A7K2Q9",
        },
    }


async def _held(admin: httpx.AsyncClient, policy_no: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await admin.get(f"/policies/{policy_no}")
        return response.json() if response.status_code == 200 else None

    found: dict[str, Any] = await eventually(probe, within=60)
    return found


async def _join(cheyou: Platform, body: dict[str, Any], phone: str) -> tuple[httpx.Response, str]:
    """Self-registration as the H5 does it: a code to ``phone``, its proof, the form."""
    proof = await cheyou.phone_proof(phone)
    response = await cheyou.client(**{"X-Phone-Proof": proof}).post("/members", json=body)
    return response, proof


def _person(cheyou: Platform, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "王冒名",
        "id_number": id_number(cheyou.rng),
        "phone": phone_number(cheyou.rng),
        "channel": "web",
        **overrides,
    }


async def test_a_stranger_with_a_leaked_id_number_reads_no_policy_and_the_reviewer_calls_the_holder(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    admin, reviewer = staff["admin"], staff["reviewer1"]
    victim_id, victim_phone = id_number(cheyou.rng), phone_number(cheyou.rng)
    policy_no = f"P{uuid.uuid4().hex[:14]}"
    await cheyou.feed(admin, _policy_issued(cheyou, victim_id, victim_phone, policy_no))
    await _held(admin, policy_no)
    attacker_phone = phone_number(cheyou.rng)
    body = _person(cheyou, id_number=victim_id, phone=attacker_phone)

    anonymous = await cheyou.client().post("/members", json=body)
    joined, proof = await _join(cheyou, body, attacker_phone)
    signed_in = await cheyou.client().post("/auth/phone-proof", json={"phone_proof": proof})
    attacker = cheyou.client(Authorization=f"Bearer {signed_in.json()['access_token']}")
    listed = await attacker.get("/policies")
    one = await attacker.get(f"/policies/{policy_no}")

    assert anonymous.status_code == 401
    assert joined.status_code == 202, joined.text
    assert signed_in.status_code == 200, signed_in.text
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    assert one.status_code == 404
    assert (await _held(admin, policy_no))["member_id"] is None
    # The reviewer phones the number the insurer holds for the policyholder, and sees the mismatch.
    member_id = signed_in.json()["member_id"]
    for _ in range(200):
        claimed = await reviewer.post("/applications/claim")
        assert claimed.status_code == 200, claimed.text
        task = claimed.json()
        if task["member_id"] == member_id:
            break
        await reviewer.post(f"/applications/{task['task_id']}/approve")  # the queue, worked in order
    record = task["core_record"]
    assert record["callback_phone_source"] == "insurer"
    assert record["callback_phone"] == victim_phone
    assert record["name_matches"] is False
    assert record["phone_matches"] is False
    rejected = await reviewer.post(
        f"/applications/{task['task_id']}/reject", json={"reason": "the policyholder did not apply"}
    )
    assert rejected.status_code == 200, rejected.text
    assert (await _held(admin, policy_no))["member_id"] is None


async def test_registration_tells_a_stranger_nothing_about_who_is_a_member(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer2"])
    unknown_id = id_number(cheyou.rng)

    fresh_phone = phone_number(cheyou.rng)
    fresh, fresh_proof = await _join(
        cheyou, _person(cheyou, id_number=unknown_id, phone=fresh_phone), fresh_phone
    )
    probe_phone = phone_number(cheyou.rng)
    probe, probe_proof = await _join(
        cheyou, _person(cheyou, id_number=member.id_number, phone=probe_phone), probe_phone
    )
    # Then the applicant signs in with the proof, to follow the application: the same for both.
    followed = []
    for proof in (fresh_proof, probe_proof):
        signed_in = await cheyou.client().post("/auth/phone-proof", json={"phone_proof": proof})
        assert signed_in.status_code == 200, signed_in.text
        session = signed_in.json()
        applicant = cheyou.client(Authorization=f"Bearer {session['access_token']}")
        me = (await applicant.get(f"/members/{session['member_id']}")).json()
        application = (await applicant.get(f"/members/{session['member_id']}/application")).json()
        followed.append((sorted(session), session["role"], sorted(me), me["status"], application))
    tries = []
    for _ in range(3):  # the same ID number from other phones: a few a day, then 429 whoever holds it
        other = phone_number(cheyou.rng)
        tries.append(
            (await _join(cheyou, _person(cheyou, id_number=member.id_number, phone=other), other))[0]
        )

    assert (fresh.status_code, probe.status_code) == (202, 202)
    assert fresh.json() == probe.json()
    assert followed[0] == followed[1]  # POST /auth/phone-proof and what follows tell nothing apart
    assert followed[0][3] == "pending"
    assert [t.status_code for t in tries] == [202, 202, 429]
    # The member's record is untouched: they still sign in with their own phone.
    me = await member.http.get(f"/members/{member.member_id}")
    assert (me.json()["status"], me.json()["phone_masked"]) == (
        "verified",
        member.phone[:3] + "****" + member.phone[-4:],
    )


async def test_contact_changes_need_proof_and_the_old_number_is_told(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer2"])
    new_phone, openid = phone_number(cheyou.rng), f"o-attacker-{uuid.uuid4().hex[:12]}"

    named_phone = await member.http.patch(f"/members/{member.member_id}", json={"phone": new_phone})
    named_openid = await member.http.put(f"/members/{member.member_id}/openid", json={"openid": openid})
    by_ops = await staff["ops1"].put(f"/members/{member.member_id}/openid", json={"openid": openid})
    await cheyou.client().post("/auth/otp", json={"phone": new_phone})
    guessed = await member.http.post("/auth/phone-change", json={"phone": new_phone, "code": "000000"})

    assert named_phone.status_code == 403
    assert named_openid.status_code == 403
    assert by_ops.status_code == 403
    assert guessed.status_code == 401

    code = (await cheyou.sms_messages(new_phone))[-1]["template_param"]["code"]  # the new number's own
    moved = await member.http.post("/auth/phone-change", json={"phone": new_phone, "code": code})

    assert moved.status_code == 200, moved.text
    notice = (await cheyou.sms_messages(member.phone))[-1]
    assert notice["template_code"] == "SMS_CHEYOU_PHONE_CHANGED"
    me = await member.http.get(f"/members/{member.member_id}")
    assert me.json()["phone_masked"] == new_phone[:3] + "****" + new_phone[-4:]
