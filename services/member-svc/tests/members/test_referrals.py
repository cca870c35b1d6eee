"""Referrals: a verified member's code on registration is recorded and announced on ``registered``."""

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.config import Settings

from ..factories import member_events, register, registration, verify  # noqa: TID252


async def me(client: httpx.AsyncClient, identities: Identities, member_id: str) -> dict[str, object]:
    own = identities.headers("member-svc", Role.MEMBER, member_id=member_id)
    response = await client.get(f"/api/v1/members/{member_id}", headers=own)
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


class TestReferrals:
    async def test_a_member_gets_a_referral_code_on_verification(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        pending = await me(client, identities, member["member_id"])
        await verify(client, identities, member["member_id"])
        verified = await me(client, identities, member["member_id"])

        assert pending["referral_code"] is None
        assert isinstance(verified["referral_code"], str)
        assert verified["referral_code"].startswith("R")
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])
        qr = await client.get(f"/api/v1/members/{member['member_id']}/referral-qr.png", headers=own)
        assert qr.status_code == 200
        assert qr.content.startswith(b"\x89PNG")

    async def test_a_pending_member_has_no_referral_qr(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await register(client, identities)
        own = identities.headers("member-svc", Role.MEMBER, member_id=member["member_id"])

        response = await client.get(f"/api/v1/members/{member['member_id']}/referral-qr.png", headers=own)

        assert response.status_code == 404

    async def test_a_registration_with_a_referral_code_records_the_referrer(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        referrer = await register(client, identities)
        await verify(client, identities, referrer["member_id"])
        code = (await me(client, identities, referrer["member_id"]))["referral_code"]
        assert isinstance(code, str)

        referred = await register(client, identities, referral_code=f" {code.lower()} ")

        assert referred["referred_by_member_id"] == referrer["member_id"]
        registered = await member_events(
            service_settings.kafka_bootstrap_servers,
            referred["member_id"],
            "cheyou.member.registered.v1",
        )
        assert registered[0]["referred_by_member_id"] == referrer["member_id"]

    async def test_an_unknown_referral_code_is_422_and_writes_nothing(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        body = registration(referral_code="RNOSUCH99")
        service = identities.headers("member-svc", Role.SERVICE)

        response = await client.post("/api/v1/members", json=body, headers=service)

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "referral_code"
        found = await client.post("/api/v1/members/identify", json={"phone": body["phone"]}, headers=service)
        assert found.status_code == 404
