"""Joining and account changes need proof (security issue 17, Medium 3 and 4): a phone proof from an SMS
code before a self-registration, a code to the new number before a phone change (and a notice to the
old one), a WeChat authorization code — never an openid — before a binding."""

import random
import uuid
from typing import Any

import httpx
from gateway.config import Settings
from redis.asyncio import Redis

from .sign_in import bearer, wechat_authorize
from .stand_ins import World


def _phone() -> str:
    return f"139{random.randrange(10**8):08d}"


async def _messages(sms_url: str, phone: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        items: list[dict[str, Any]] = (
            await http.get(f"{sms_url}/_fake/messages", params={"phone": phone})
        ).json()["items"]
    return items


async def _code(client: httpx.AsyncClient, sms_url: str, phone: str) -> str:
    sent = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    code: str = (await _messages(sms_url, phone))[-1]["template_param"]["code"]
    return code


async def _proof(client: httpx.AsyncClient, sms_url: str, phone: str) -> str:
    code = await _code(client, sms_url, phone)
    response = await client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert response.status_code == 200, response.text
    proof: str = response.json()["phone_proof"]
    return proof


class TestPhoneProof:
    async def test_the_right_code_for_a_phone_no_member_has_is_a_proof_without_tokens(
        self, client: httpx.AsyncClient, sms_url: str
    ) -> None:
        phone = _phone()
        code = await _code(client, sms_url, phone)

        response = await client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})

        assert response.status_code == 200, response.text
        assert set(response.json()) == {"phone_proof", "expires_in"}
        assert response.json()["expires_in"] == 900

    async def test_an_invited_person_gets_a_proof_to_take_up_the_invitation_not_a_session(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        world.member(phone=phone, status="invited")
        code = await _code(client, sms_url, phone)

        response = await client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})

        assert response.status_code == 200, response.text
        assert "access_token" not in response.json()
        assert response.json()["phone_proof"]

    async def test_redis_holds_neither_the_proof_nor_the_phone(
        self, client: httpx.AsyncClient, sms_url: str, service_settings: Settings
    ) -> None:
        phone = _phone()
        proof = await _proof(client, sms_url, phone)

        redis = Redis.from_url(service_settings.redis_url)
        keys = [key async for key in redis.scan_iter(match="gw:proof:*")]
        values = [await redis.get(key) for key in keys]
        await redis.aclose()

        assert values
        stored = repr((keys, values)).encode()
        assert phone.encode() not in stored
        assert proof.encode() not in stored

    async def test_the_proof_signs_in_once_the_applicant_has_joined_and_only_once(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        proof = await _proof(client, sms_url, phone)

        before = await client.post("/api/v1/auth/phone-proof", json={"phone_proof": proof})
        member_id = world.member(phone=phone, status="pending")
        joined = await client.post("/api/v1/auth/phone-proof", json={"phone_proof": proof})
        again = await client.post("/api/v1/auth/phone-proof", json={"phone_proof": proof})

        assert before.status_code == 404
        assert joined.status_code == 200, joined.text
        assert joined.json()["member_id"] == str(member_id)
        assert again.status_code == 401
        assert again.json()["type"].endswith("/phone-proof-invalid")


class TestSelfRegistration:
    async def test_an_applicant_without_a_phone_proof_is_refused_before_any_service_is_asked(
        self, client: httpx.AsyncClient
    ) -> None:
        missing = await client.post("/api/v1/members", json={"phone": _phone()})
        forged = await client.post(
            "/api/v1/members", json={"phone": _phone()}, headers={"X-Phone-Proof": "x" * 43}
        )

        assert missing.status_code == 401
        assert missing.json()["type"].endswith("/phone-proof-required")
        assert forged.status_code == 401
        assert forged.json()["type"].endswith("/phone-proof-invalid")

    async def test_the_service_is_told_the_proven_phone_and_never_sees_the_proof(
        self, client: httpx.AsyncClient, sms_url: str
    ) -> None:
        phone = _phone()
        proof = await _proof(client, sms_url, phone)

        response = await client.post(
            "/api/v1/members", json={"phone": phone}, headers={"X-Phone-Proof": proof}
        )

        assert response.status_code == 202, response.text
        principal = response.json()["principal"]
        assert principal["role"] == "member"
        assert principal.get("member_id") is None
        assert principal["verified_phone"] == phone
        assert proof not in response.text


class TestPhoneChange:
    async def test_a_member_moves_to_a_new_number_with_its_code_and_the_old_number_is_told(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        old, new = _phone(), _phone()
        world.member(phone=old)
        code = await _code(client, sms_url, old)
        signed_in = await client.post("/api/v1/auth/otp/verify", json={"phone": old, "code": code})
        own = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}

        changed = await client.post(
            "/api/v1/auth/phone-change",
            json={"phone": new, "code": await _code(client, sms_url, new)},
            headers=own,
        )

        assert changed.status_code == 200, changed.text
        assert changed.json()["phone_masked"] == new[:3] + "****" + new[-4:]
        notice = (await _messages(sms_url, old))[-1]
        assert notice["template_code"] == "SMS_CHEYOU_PHONE_CHANGED"
        assert notice["template_param"] == {"phone": new[:3] + "****" + new[-4:]}
        assert str(world.by_phone[new][0]) == signed_in.json()["member_id"]

    async def test_a_stolen_session_cannot_move_the_account_without_the_new_numbers_code(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        old, attacker = _phone(), _phone()
        world.member(phone=old)
        code = await _code(client, sms_url, old)
        signed_in = await client.post("/api/v1/auth/otp/verify", json={"phone": old, "code": code})
        own = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        await client.post("/api/v1/auth/otp", json={"phone": attacker})

        guessed = await client.post(
            "/api/v1/auth/phone-change", json={"phone": attacker, "code": "000000"}, headers=own
        )

        assert guessed.status_code == 401
        assert attacker not in world.by_phone

    async def test_staff_have_no_sign_in_phone_to_change(
        self, client: httpx.AsyncClient, sms_url: str
    ) -> None:
        phone = _phone()
        code = await _code(client, sms_url, phone)

        response = await client.post(
            "/api/v1/auth/phone-change",
            json={"phone": phone, "code": code},
            headers=await bearer(client, "ops1"),
        )

        assert response.status_code == 403


class TestWeChatBinding:
    async def test_a_member_binds_the_wechat_account_that_authorized_the_code(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]], world: World
    ) -> None:
        member_id, own = member
        openid = f"o-{uuid.uuid4().hex}"
        started, back = await wechat_authorize(client, openid)

        response = await client.post(
            "/api/v1/auth/wechat-binding",
            json={
                "code": back.params["code"],
                "state": back.params["state"],
                "verifier": started["verifier"],
            },
            headers=own,
        )

        assert response.status_code == 200, response.text
        assert response.json()["wechat_bound"] is True
        assert world.by_openid[openid][0] == member_id

    async def test_a_code_planted_from_another_browser_binds_nothing(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]], world: World
    ) -> None:
        _, own = member
        openid = f"o-{uuid.uuid4().hex}"
        _, back = await wechat_authorize(client, openid)  # the attacker's authorization

        response = await client.post(
            "/api/v1/auth/wechat-binding",
            json={"code": back.params["code"], "state": back.params["state"], "verifier": "v" * 43},
            headers=own,
        )

        assert response.status_code == 400
        assert openid not in world.by_openid

    async def test_a_raw_openid_is_no_binding(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]], world: World
    ) -> None:
        member_id, own = member
        openid = f"o-{uuid.uuid4().hex}"

        response = await client.put(
            f"/api/v1/members/{member_id}/openid", json={"openid": openid}, headers=own
        )

        assert response.status_code in (403, 404, 405)
        assert openid not in world.by_openid


class TestManagerOnTheSpot:
    async def test_a_manager_with_the_customers_phone_proof_passes_the_proven_number_on(
        self, client: httpx.AsyncClient, sms_url: str
    ) -> None:
        phone = _phone()
        proof = await _proof(client, sms_url, phone)
        manager = await bearer(client, "manager1")

        with_proof = await client.post(
            "/api/v1/members", json={"phone": phone}, headers={**manager, "X-Phone-Proof": proof}
        )
        without = await client.post("/api/v1/members", json={"phone": phone}, headers=manager)

        assert with_proof.json()["principal"]["role"] == "manager"
        assert with_proof.json()["principal"]["verified_phone"] == phone
        assert proof not in with_proof.text
        assert without.json()["principal"].get("verified_phone") is None

    async def test_a_manager_with_a_forged_proof_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/members",
            json={"phone": _phone()},
            headers={**await bearer(client, "manager1"), "X-Phone-Proof": "x" * 43},
        )

        assert response.status_code == 401
        assert response.json()["type"].endswith("/phone-proof-invalid")

    async def test_a_managers_phone_correction_spends_the_proof_and_tells_the_old_number(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        old, new = _phone(), _phone()
        member_id = world.member(phone=old)
        proof = await _proof(client, sms_url, new)  # the customer reads out the code sent to the new number
        manager = await bearer(client, "manager1")
        body = {"reason": "换了新号码", "phone": new}

        corrected = await client.post(
            f"/api/v1/members/{member_id}/corrections", json=body, headers={**manager, "X-Phone-Proof": proof}
        )
        again = await client.post(
            f"/api/v1/members/{member_id}/corrections", json=body, headers={**manager, "X-Phone-Proof": proof}
        )

        assert corrected.status_code == 201, corrected.text
        assert "x-replaced-phone" not in corrected.headers
        assert old not in corrected.text
        notice = (await _messages(sms_url, old))[-1]
        assert notice["template_code"] == "SMS_CHEYOU_PHONE_CHANGED"
        assert notice["template_param"] == {"phone": new[:3] + "****" + new[-4:]}
        assert again.status_code == 401
        assert again.json()["type"].endswith("/phone-proof-invalid")

    async def test_a_correction_the_service_refuses_keeps_the_proof_for_another_try(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        old, new = _phone(), _phone()
        member_id = world.member(phone=old)
        proof = await _proof(client, sms_url, new)
        headers = {**await bearer(client, "manager1"), "X-Phone-Proof": proof}

        refused = await client.post(
            f"/api/v1/members/{member_id}/corrections", json={"reason": "", "phone": new}, headers=headers
        )
        retried = await client.post(
            f"/api/v1/members/{member_id}/corrections", json={"reason": "换号", "phone": new}, headers=headers
        )

        assert refused.status_code == 422
        assert retried.status_code == 201, retried.text
        assert world.by_phone[new][0] == member_id
