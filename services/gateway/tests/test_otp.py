"""Members sign in with a code texted to their phone, through the fake SMS provider."""

import random
import uuid

import httpx
from gateway.config import Settings
from redis.asyncio import Redis

from .conftest import GatewayFactory
from .stand_ins import World


def _phone() -> str:
    return f"139{random.randrange(10**8):08d}"


async def _sent_code(sms_url: str, phone: str) -> str:
    async with httpx.AsyncClient() as http:
        messages = (await http.get(f"{sms_url}/_fake/messages", params={"phone": phone})).json()["items"]
    code: str = messages[-1]["template_param"]["code"]
    return code


class TestSendOtp:
    async def test_a_six_digit_code_is_texted(self, client: httpx.AsyncClient, sms_url: str) -> None:
        phone = _phone()

        response = await client.post("/api/v1/auth/otp", json={"phone": phone})

        assert response.status_code == 202
        assert response.json() == {"expires_in": 300, "resend_after": 60}
        async with httpx.AsyncClient() as http:
            [message] = (await http.get(f"{sms_url}/_fake/messages", params={"phone": phone})).json()["items"]
        assert message["template_code"] == "SMS_CHEYOU_OTP"
        assert len(message["template_param"]["code"]) == 6
        assert message["template_param"]["code"].isdigit()

    async def test_only_a_hash_of_the_code_is_stored(
        self, client: httpx.AsyncClient, sms_url: str, service_settings: Settings
    ) -> None:
        phone = _phone()
        await client.post("/api/v1/auth/otp", json={"phone": phone})
        code = await _sent_code(sms_url, phone)

        redis = Redis.from_url(service_settings.redis_url)
        stored = [key async for key in redis.scan_iter(match="gw:otp:*")]
        values = [await redis.hgetall(key) for key in stored if await redis.type(key) == b"hash"]
        await redis.aclose()
        stored_text = repr((stored, values)).encode()

        assert values
        assert code.encode() not in stored_text
        assert phone.encode() not in stored_text

    async def test_a_second_code_within_a_minute_is_refused(self, client: httpx.AsyncClient) -> None:
        phone = _phone()
        await client.post("/api/v1/auth/otp", json={"phone": phone})

        response = await client.post("/api/v1/auth/otp", json={"phone": phone})

        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60

    async def test_a_phone_gets_a_few_codes_an_hour(self, gateway: GatewayFactory) -> None:
        phone = _phone()
        async with gateway(otp_resend_seconds=0, otp_per_phone_hour=2) as limited:
            statuses = [
                (await limited.post("/api/v1/auth/otp", json={"phone": phone})).status_code for _ in range(3)
            ]

        assert statuses == [202, 202, 429]

    async def test_an_address_gets_a_few_codes_an_hour(self, gateway: GatewayFactory) -> None:
        address = {"X-Forwarded-For": f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"}
        async with gateway(otp_per_ip_hour=2) as limited:
            statuses = [
                (
                    await limited.post("/api/v1/auth/otp", headers=address, json={"phone": _phone()})
                ).status_code
                for _ in range(3)
            ]

        assert statuses == [202, 202, 429]

    async def test_a_malformed_number_is_a_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/auth/otp", json={"phone": "12345678901"})

        assert response.status_code == 422
        assert response.json()["type"].endswith("/invalid-phone")

    async def test_the_provider_refusing_is_a_502(self, client: httpx.AsyncClient, sms_url: str) -> None:
        async with httpx.AsyncClient() as http:
            await http.post(f"{sms_url}/_fake/fail-next", json={"code": "isv.BUSINESS_LIMIT_CONTROL"})

        response = await client.post("/api/v1/auth/otp", json={"phone": _phone()})

        assert response.status_code == 502


class TestVerifyOtp:
    async def test_the_texted_code_signs_the_member_in(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        member_id = world.member(phone=phone)
        await client.post("/api/v1/auth/otp", json={"phone": phone})

        response = await client.post(
            "/api/v1/auth/otp/verify",
            json={"phone": f"+86 {phone}", "code": await _sent_code(sms_url, phone)},
        )

        assert response.status_code == 200, response.text
        assert response.json()["member_id"] == str(member_id)

    async def test_a_code_works_once(self, client: httpx.AsyncClient, sms_url: str, world: World) -> None:
        phone = _phone()
        world.member(phone=phone)
        await client.post("/api/v1/auth/otp", json={"phone": phone})
        body = {"phone": phone, "code": await _sent_code(sms_url, phone)}
        await client.post("/api/v1/auth/otp/verify", json=body)

        response = await client.post("/api/v1/auth/otp/verify", json=body)

        assert response.status_code == 401

    async def test_five_wrong_codes_spend_it(
        self, client: httpx.AsyncClient, sms_url: str, world: World
    ) -> None:
        phone = _phone()
        world.member(phone=phone)
        await client.post("/api/v1/auth/otp", json={"phone": phone})
        code = await _sent_code(sms_url, phone)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        answers = [
            (await client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": wrong})).json()
            for _ in range(5)
        ]

        response = await client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})

        assert [a.get("attempts_remaining") for a in answers[:4]] == [4, 3, 2, 1]
        assert answers[4]["type"].endswith("/otp-attempts-exhausted")
        assert response.status_code == 401

    async def test_a_phone_with_no_member_gets_a_proof_to_join_with_and_no_tokens(
        self, client: httpx.AsyncClient, sms_url: str
    ) -> None:
        phone = _phone()
        await client.post("/api/v1/auth/otp", json={"phone": phone})

        response = await client.post(
            "/api/v1/auth/otp/verify", json={"phone": phone, "code": await _sent_code(sms_url, phone)}
        )

        assert response.status_code == 200
        assert "access_token" not in response.json()
        assert response.json()["phone_proof"]
