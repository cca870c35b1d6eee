"""Attacks on claims through the gateway, each refused (security issue 17; listed in tests/security/README).

- High 2: the other party's consent to a liability split cannot be given by the reporting member — not with
  the last four digits of the phone, not by saying so, not by swapping the phone for their own, not by
  guessing the code, not from a stranger's account; the real other party's own account can.
- Medium 8: a 400-megapixel PNG of a few hundred KB is refused as a photo and as a document, undecoded.
- Low: a second surveyor reads nothing of a claim assigned to the first.
"""

import secrets
import struct
import uuid
import zlib
from functools import cache
from typing import Any

import httpx
from cheyou_demo import Member, Platform, phone_number
from cheyou_kit.testing import eventually


async def insured_member(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], **extra: Any
) -> tuple[Member, str]:
    """A verified member with a commercial policy on their car, known to claims-svc."""
    member = await cheyou.member(staff["ops1"], staff["reviewer1"], **extra)
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)
    return member, issued["data"]["policy_no"]


def problem(response: httpx.Response) -> str:
    slug: str = response.json()["type"].rsplit("/", 1)[-1]
    return slug


async def test_the_other_partys_consent_cannot_be_self_attested(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], report: Any
) -> None:
    member, policy_no = await insured_member(cheyou, staff)
    other_phone = phone_number(cheyou.rng)
    claim = await report(
        member, policy_no, other_party={"name": "王五", "plate": "闽A66666", "phone": other_phone}
    )
    url = f"/claims/{claim['id']}/liability"
    proposed = await member.http.post(url, json={"member_scenarios": [], "other_scenarios": ["rear_end"]})
    assert proposed.status_code == 200, proposed.text
    mine = await member.http.post(f"{url}/confirmations", json={"party": "member", "agree": True})
    assert mine.status_code == 200, mine.text

    # 1. The old proof: the last four digits of a number the member typed themself.
    last4 = await member.http.post(
        f"{url}/confirmations", json={"party": "other_party", "agree": True, "phone_last4": other_phone[-4:]}
    )
    assert last4.status_code == 422, last4.text
    # 2. Just saying the other party agrees.
    said = await member.http.post(f"{url}/confirmations", json={"party": "other_party", "agree": True})
    assert (said.status_code, problem(said)) == (422, "liability-code-required")

    # The code goes to the other party's phone; the number is frozen from now on.
    sent = await member.http.post(f"{url}/confirmation-requests")
    assert sent.status_code == 201, sent.text
    (text,) = await cheyou.sms_messages(other_phone)
    code = text["template_param"]["code"]
    # 3. Swapping the other party's number for the member's own, to receive the next code.
    swapped = await member.http.patch(f"/claims/{claim['id']}", json={"other_party": {"phone": member.phone}})
    assert (swapped.status_code, problem(swapped)) == (409, "other-party-phone-frozen")
    # 4. Guessing the code: five wrong tries, then even the right one is refused.
    for n in range(1, 6):
        guess = await member.http.post(
            f"{url}/confirmations", json={"code": f"{(int(code) + n) % 1_000_000:06d}"}
        )
        assert guess.status_code == 422, guess.text
    late = await member.http.post(f"{url}/confirmations", json={"code": code})
    assert (late.status_code, problem(late)) == (422, "liability-code-exhausted")
    # 5. A stranger's account: no such claim.
    stranger = await cheyou.member(staff["ops1"], staff["reviewer1"])
    assert (await stranger.http.get(url)).status_code == 404
    assert (await stranger.http.post(f"{url}/confirmations", json={"agree": True})).status_code == 404
    liability = (await member.http.get(url)).json()
    assert (liability["other_confirmed_at"], liability["claim_status"]) == (None, "liability_pending")

    # The real other party: a member whose own phone is the number recorded, answering from their account.
    other = await cheyou.member(staff["ops1"], staff["reviewer1"], phone=other_phone)

    async def seen_by_the_other_party() -> dict[str, Any] | None:
        response = await other.http.get(url)  # 404 until claims-svc has learnt the member's phone
        return response.json() if response.status_code == 200 else None

    theirs = await eventually(seen_by_the_other_party, within=30)
    assert (theirs["answering_as"], theirs["other_liability"]) == ("other_party", "full")
    assert (await other.http.get(f"/claims/{claim['id']}")).status_code == 404  # the split, not the claim
    agreed = await other.http.post(f"{url}/confirmations", json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    assert (agreed.json()["other_confirmed_by"], agreed.json()["claim_status"]) == (
        "member_account",
        "survey_pending",
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real PNG of one grey, 20,000 × 20,000 (400 MB of pixels), deflated to ~400 KB."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * width
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


async def test_a_decompression_bomb_is_refused_undecoded(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], report: Any
) -> None:
    member, policy_no = await insured_member(cheyou, staff)
    claim = await report(member, policy_no, accident_type="single_vehicle", loss_cause="scrape")
    bomb = png_bomb()
    assert len(bomb) < 600_000

    photo = await member.http.post(
        f"/claims/{claim['id']}/survey/photos",
        data={"slot": "front_view"},
        files={"file": ("photo.png", bomb, "image/png")},
    )
    document = await member.http.post(
        f"/claims/{claim['id']}/documents",
        data={"kind": "id_card"},
        files={"file": ("scan.png", bomb, "image/png")},
    )

    for response in (photo, document):
        assert (response.status_code, problem(response)) == (422, "image-too-large"), response.text
        assert (response.json()["width"], response.json()["height"]) == (20_000, 20_000)
    survey = (await member.http.get(f"/claims/{claim['id']}/survey")).json()
    assert all(slot["photo"] is None for slot in survey["slots"])
    assert (await member.http.get(f"/claims/{claim['id']}/documents")).json()["documents"] == []
    assert (await member.http.get(f"/claims/{claim['id']}")).json()["status"] == "survey_pending"


async def test_a_surveyor_reads_nothing_of_another_surveyors_claim(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], report: Any, claim_photo: Any
) -> None:
    member, policy_no = await insured_member(cheyou, staff)
    claim = await report(member, policy_no, accident_type="single_vehicle", loss_cause="scrape")
    url = f"/claims/{claim['id']}"
    survey = (await member.http.get(f"{url}/survey")).json()
    for slot in survey["missing_required"]:
        uploaded = await member.http.post(
            f"{url}/survey/photos",
            data={"slot": slot},
            files={"file": ("p.jpg", claim_photo(), "image/jpeg")},
        )
        assert uploaded.status_code == 201, uploaded.text
    photo_id = uploaded.json()["id"]
    assert (await member.http.post(f"{url}/survey/submission")).status_code == 200
    taken = await staff["surveyor1"].post(f"/surveys/{claim['id']}/assignment")
    assert taken.status_code == 200, taken.text
    document = await member.http.post(
        f"{url}/documents",
        data={"kind": "bank_card"},
        files={"file": ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert document.status_code == 201, document.text
    # Surveyor B: a second surveyor account, opened by the admin.
    username, password = f"surveyor-b-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    opened = await staff["admin"].post(
        "/auth/staff",
        json={"username": username, "display_name": "查勘员乙", "role": "surveyor", "password": password},
    )
    assert opened.status_code == 201, opened.text
    async with httpx.AsyncClient(base_url=f"{cheyou.gateway}/api/v1", timeout=20) as anonymous:
        login = await anonymous.post("/auth/staff/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    surveyor_b = cheyou.client(Authorization=f"Bearer {login.json()['access_token']}")
    reads = [
        url,
        f"{url}/timeline",
        f"{url}/survey",
        f"{url}/survey/photos/{photo_id}/content",
        f"{url}/documents",
        f"{url}/documents/{document.json()['document']['id']}/content",
        f"/surveys/{claim['id']}",
    ]

    b_answers = [(await surveyor_b.get(path)).status_code for path in reads]
    b_takes = await surveyor_b.post(f"/surveys/{claim['id']}/assignment")
    a_answers = [(await staff["surveyor1"].get(path)).status_code for path in reads]

    assert b_answers == [404] * len(reads)
    assert b_takes.status_code == 404
    assert a_answers == [200] * len(reads)
