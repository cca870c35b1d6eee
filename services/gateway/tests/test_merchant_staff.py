"""Merchant staff sign in with their phone and an SMS code; their sessions end when merchant-svc (here its
stand-in) says the user is disabled or the merchant suspended."""

import asyncio
import random
from typing import Any

import httpx

from .conftest import GatewayFactory
from .stand_ins import World

OTP = "/api/v1/auth/merchant/otp"
VERIFY = "/api/v1/auth/merchant/otp/verify"


def _phone() -> str:
    return f"137{random.randrange(10**8):08d}"


async def _texts(sms_url: str, phone: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        items: list[dict[str, Any]] = (
            await http.get(f"{sms_url}/_fake/messages", params={"phone": phone})
        ).json()["items"]
    return items


async def _sign_in(client: httpx.AsyncClient, sms_url: str, phone: str) -> httpx.Response:
    sent = await client.post(OTP, json={"phone": phone})
    assert sent.status_code == 202, sent.text
    code = (await _texts(sms_url, phone))[-1]["template_param"]["code"]
    return await client.post(VERIFY, json={"phone": phone, "code": code})


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


class TestMerchantSignIn:
    async def test_a_merchant_user_signs_in_and_is_the_principal(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        user = world.merchant_user(phone, role="technician")

        response = await _sign_in(client, sms_url, phone)

        assert response.status_code == 200, response.text
        tokens = response.json()
        assert (tokens["role"], tokens["merchant_role"]) == ("merchant", "technician")
        assert tokens["merchant_id"] == str(user["merchant_id"])
        assert tokens["merchant_user_id"] == str(user["user_id"])
        whoami = (await client.get("/api/v1/auth/whoami", headers=_bearer(tokens))).json()
        expected = {
            "subject": f"merchant-user:{user['user_id']}",
            "role": "merchant",
            "member_id": None,
            "staff_id": None,
            "merchant_id": str(user["merchant_id"]),
            "merchant_user_id": str(user["user_id"]),
            "merchant_role": "technician",
        }
        assert {name: whoami.get(name) for name in expected} == expected

    async def test_the_token_works_where_merchant_keys_do_and_only_there(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        user = world.merchant_user(phone)
        headers = _bearer((await _sign_in(client, sms_url, phone)).json())

        orders = await client.get("/api/v1/merchant-api/orders", headers=headers)
        echoed = await client.get("/api/v1/merchant-api/echo", headers=headers)
        members = await client.get("/api/v1/members/echo", headers=headers)

        assert orders.status_code == 200
        assert orders.json()["merchant_id"] == str(user["merchant_id"])
        principal = echoed.json()["principal"]
        assert principal["subject"] == f"merchant-user:{user['user_id']}"
        assert (principal["merchant_user_id"], principal["merchant_role"]) == (
            str(user["user_id"]),
            "dispatcher",
        )
        assert members.status_code == 403

    async def test_the_answer_to_a_code_request_is_the_same_for_any_phone(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        known, unknown = _phone(), _phone()
        world.merchant_user(known)

        answers = [await client.post(OTP, json={"phone": phone}) for phone in (known, unknown)]

        assert [a.status_code for a in answers] == [202, 202]
        assert answers[0].json() == answers[1].json()
        assert len(await _texts(sms_url, known)) == 1
        assert await _texts(sms_url, unknown) == []  # no text to a number no merchant user has

    async def test_a_member_s_code_never_opens_a_merchant_session(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        """The attack: a code texted for member sign-in (to any number) replayed at the merchant door."""
        phone = _phone()
        world.merchant_user(phone)
        await client.post("/api/v1/auth/otp", json={"phone": phone})
        member_code = (await _texts(sms_url, phone))[-1]["template_param"]["code"]

        response = await client.post(VERIFY, json={"phone": phone, "code": member_code})

        assert response.status_code == 401
        assert response.json()["type"].endswith("/otp-invalid")

    async def test_a_merchant_code_is_not_a_member_code(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        world.merchant_user(phone)
        world.member(phone=phone)
        await client.post(OTP, json={"phone": phone})
        merchant_code = (await _texts(sms_url, phone))[-1]["template_param"]["code"]

        response = await client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": merchant_code})

        assert response.status_code == 401

    async def test_a_wrong_code_costs_a_try(self, client: httpx.AsyncClient, world: World) -> None:
        phone = _phone()
        world.merchant_user(phone)
        await client.post(OTP, json={"phone": phone})

        response = await client.post(VERIFY, json={"phone": phone, "code": "000000"})

        assert response.status_code == 401

    async def test_a_disabled_user_cannot_sign_in(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        world.merchant_user(phone)["status"] = "disabled"

        sent = await client.post(OTP, json={"phone": phone})

        assert sent.status_code == 202
        assert await _texts(sms_url, phone) == []


class TestLiveSessions:
    async def test_disabling_the_user_ends_their_live_tokens_within_seconds(
        self, gateway: GatewayFactory, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        user = world.merchant_user(phone)
        async with gateway(merchant_staff_check_seconds=0.5) as gw:
            tokens = (await _sign_in(gw, sms_url, phone)).json()
            assert (await gw.get("/api/v1/merchant-api/orders", headers=_bearer(tokens))).status_code == 200

            user["status"] = "disabled"
            await asyncio.sleep(0.6)
            refused = await gw.get("/api/v1/merchant-api/orders", headers=_bearer(tokens))
            whoami = await gw.get("/api/v1/auth/whoami", headers=_bearer(tokens))
            refreshed = await gw.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

        assert refused.status_code == 401
        assert refused.json()["type"].endswith("/merchant-user-inactive")
        assert whoami.status_code == 401
        assert refreshed.status_code == 401

    async def test_suspending_the_merchant_ends_their_staff_s_tokens_within_seconds(
        self, gateway: GatewayFactory, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        user = world.merchant_user(phone)
        async with gateway(merchant_staff_check_seconds=0.5, otp_resend_seconds=0) as gw:
            tokens = (await _sign_in(gw, sms_url, phone)).json()
            user["merchant_status"] = "suspended"
            await asyncio.sleep(0.6)
            refused = await gw.get("/api/v1/merchant-api/orders", headers=_bearer(tokens))
            signing_in = await gw.post(OTP, json={"phone": phone})

        assert refused.status_code == 401
        assert signing_in.status_code == 202
        assert len(await _texts(sms_url, phone)) == 1  # no new code for a suspended merchant's staff

    async def test_a_new_role_applies_to_a_live_session(
        self, gateway: GatewayFactory, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        user = world.merchant_user(phone, role="dispatcher")
        async with gateway(merchant_staff_check_seconds=0.5) as gw:
            tokens = (await _sign_in(gw, sms_url, phone)).json()
            user["role"] = "technician"
            await asyncio.sleep(0.6)
            echoed = await gw.get("/api/v1/merchant-api/echo", headers=_bearer(tokens))

        assert echoed.json()["principal"]["merchant_role"] == "technician"
