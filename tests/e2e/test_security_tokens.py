"""Security issue 17 (Low) — the internal identity token, on a running platform: a token copied off the
wire between the gateway and member-svc (signed with the platform's key, as the gateway signs it) opens
its own request line and nothing else.

What binding leaves open, asserted too so that it stays written down: the very same request line, again,
within the token's minute (only the gateway reaches a service; operations that must not happen twice keep
their own Idempotency-Key).
"""

from pathlib import Path

import httpx
from cheyou_demo import Platform
from cheyou_devinfra.platform import Service
from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role


async def test_a_captured_identity_token_opens_only_the_request_line_it_was_signed_for(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], platform: Path, services: dict[str, Service]
) -> None:
    member = await cheyou.member(staff["ops1"], staff["reviewer2"])
    signer = IdentitySigner((platform / "keys" / "internal-token.key").read_bytes())
    principal = Principal(subject=f"member:{member.member_id}", role=Role.MEMBER, member_id=member.member_id)
    path = f"/api/v1/members/{member.member_id}"
    captured = {IDENTITY_HEADER: signer.sign(principal, "member-svc", method="GET", path=path)}
    member_svc, claims_svc = services["member-svc"].url, services["claims-svc"].url

    async with httpx.AsyncClient(timeout=10) as http:
        own = await http.get(f"{member_svc}{path}", headers=captured)
        again = await http.get(f"{member_svc}{path}", headers=captured)
        other_path = await http.get(f"{member_svc}{path}/card", headers=captured)
        other_method = await http.patch(f"{member_svc}{path}", json={"interests": []}, headers=captured)
        other_query = await http.get(f"{member_svc}{path}", params={"fields": "all"}, headers=captured)
        other_service = await http.get(f"{claims_svc}/api/v1/claims", headers=captured)

    assert own.status_code == 200, own.text
    assert own.json()["member_id"] == str(member.member_id)
    assert again.status_code == 200  # the same request line within the minute: not what binding stops
    for refused in (other_path, other_method, other_query):
        assert refused.status_code == 401, refused.text
        assert refused.json()["type"].endswith("/identity-token-misdirected")
    assert other_service.status_code == 401
