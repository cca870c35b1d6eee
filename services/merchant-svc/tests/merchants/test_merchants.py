"""Merchants: onboarding, status, contracts, API keys and their verification for the gateway."""

from __future__ import annotations

import base64
import os
import uuid

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..world import FUZHOU, World, new_privilege  # noqa: TID252  (shared test helpers, no package path)


def legacy_encrypt(key_b64: str, aad: str, value: str) -> bytes:
    """merchant-svc's ``PiiCipher.encrypt`` before the field cipher (commit a7e384d), the exact algorithm."""
    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(base64.b64decode(key_b64)).encrypt(nonce, value.encode(), aad.encode())


class TestCreateMerchant:
    async def test_ops_onboard_a_merchant_that_starts_pending(self, world: World) -> None:
        response = await world.client.post(
            "/api/v1/merchants",
            json={
                "name": f"福州代驾-{uuid.uuid4().hex[:6]}",
                "category": "designated_driving",
                "city_codes": [FUZHOU],
            },
            headers=world.ops,
        )

        assert response.status_code == 201
        assert response.json()["status"] == "pending"

    async def test_the_contact_is_encrypted_at_rest_and_masked_on_the_way_out(self, world: World) -> None:
        response = await world.client.post(
            "/api/v1/merchants",
            json={
                "name": f"福州洗车-{uuid.uuid4().hex[:6]}",
                "category": "car_wash",
                "city_codes": [FUZHOU],
                "contact_name": "陈大文",
                "contact_phone": "13700001111",
            },
            headers=world.ops,
        )

        assert (response.json()["contact_name"], response.json()["contact_phone"]) == ("陈**", "137****1111")
        async with world.sessions() as session:
            from sqlalchemy import text

            row = (
                await session.execute(
                    text("SELECT contact_name_cipher, contact_phone_cipher FROM merchants WHERE id = :id"),
                    {"id": response.json()["id"]},
                )
            ).one()
        assert b"13700001111" not in row.contact_phone_cipher
        assert "陈大文".encode() not in row.contact_name_cipher

    async def test_a_contact_stored_before_the_platform_field_cipher_still_reads(self, world: World) -> None:
        created = await world.client.post(
            "/api/v1/merchants",
            json={"name": f"福州洗车-{uuid.uuid4().hex[:6]}", "category": "car_wash", "city_codes": [FUZHOU]},
            headers=world.ops,
        )
        merchant_id = created.json()["id"]
        async with world.sessions() as session, session.begin():
            from sqlalchemy import text

            await session.execute(
                text(
                    "UPDATE merchants SET contact_name_cipher = :n, contact_phone_cipher = :p WHERE id = :id"
                ),
                {
                    "n": legacy_encrypt(
                        world.settings.pii_key, f"merchant:{merchant_id}:contact_name", "陈大文"
                    ),
                    "p": legacy_encrypt(
                        world.settings.pii_key, f"merchant:{merchant_id}:contact_phone", "13700001111"
                    ),
                    "id": merchant_id,
                },
            )

        response = await world.client.get(f"/api/v1/merchants/{merchant_id}", headers=world.ops)

        assert (response.json()["contact_name"], response.json()["contact_phone"]) == ("陈**", "137****1111")

    async def test_an_unknown_category_is_refused_naming_the_field(self, world: World) -> None:
        response = await world.client.post(
            "/api/v1/merchants",
            json={"name": "x", "category": "casino", "city_codes": [FUZHOU]},
            headers=world.ops,
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.category"

    async def test_a_name_is_taken_once(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            "/api/v1/merchants",
            json={"name": merchant["name"], "category": "rescue", "city_codes": [FUZHOU]},
            headers=world.ops,
        )

        assert response.status_code == 409

    async def test_a_merchant_cannot_onboard_merchants(self, world: World) -> None:
        response = await world.client.post(
            "/api/v1/merchants",
            json={"name": "x", "category": "rescue", "city_codes": [FUZHOU]},
            headers=world.as_merchant(uuid.uuid4()),
        )

        assert response.status_code == 403


class TestGetMerchant:
    async def test_a_merchant_reads_itself_but_not_another(self, world: World) -> None:
        mine, other = await world.merchant(new_privilege()), await world.merchant(new_privilege())

        own = await world.client.get(f"/api/v1/merchants/{mine['id']}", headers=world.as_merchant(mine["id"]))
        theirs = await world.client.get(
            f"/api/v1/merchants/{other['id']}", headers=world.as_merchant(mine["id"])
        )

        assert own.status_code == 200
        assert theirs.status_code == 404


class TestListMerchants:
    async def test_pages_follow_the_cursor_without_repeats(self, world: World) -> None:
        for _ in range(3):
            await world.merchant(new_privilege())
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await world.client.get("/api/v1/merchants", params=params, headers=world.ops)).json()
            seen += [m["id"] for m in page["items"]]
            if not (cursor := page["next_cursor"]):
                break

        assert len(seen) == len(set(seen)) >= 3

    async def test_the_demo_merchants_of_fuzhou_are_seeded(self, world: World) -> None:
        page = (await world.client.get("/api/v1/merchants", params={"limit": 200}, headers=world.ops)).json()

        names = {m["name"] for m in page["items"]}
        assert {"福州e代驾", "吉诺汽车救援", "洁亮洗车连锁", "车务通代办"} <= names


class TestChangeStatus:
    async def test_a_terminated_merchant_cannot_come_back(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        await world.set_status(merchant["id"], "terminated")

        response = await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/status",
            json={"status": "active", "reason": "again"},
            headers=world.ops,
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("illegal-merchant-status")

    async def test_suspending_emits_merchant_suspended(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        await world.set_status(merchant["id"], "suspended")

        event = await world.event("cheyou.merchant.suspended.v1", merchant_id=merchant["id"])
        assert event["reason"] == "test"


class TestContracts:
    async def test_a_contract_ending_before_it_starts_is_refused(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/contracts",
            json={
                "privilege_ids": ["rescue.towing"],
                "city_codes": [FUZHOU],
                "unit_price_fen": 100,
                "starts_on": "2027-01-01",
                "ends_on": "2026-01-01",
            },
            headers=world.ops,
        )

        assert response.status_code == 422
        contracts = await world.client.get(f"/api/v1/merchants/{merchant['id']}/contracts", headers=world.ops)
        assert len(contracts.json()) == 1


class TestApiKeys:
    async def issue(self, world: World, merchant_id: str) -> dict[str, str]:
        response = await world.client.post(
            f"/api/v1/merchants/{merchant_id}/api-keys", json={"label": "dispatch server"}, headers=world.ops
        )
        assert response.status_code == 201
        issued: dict[str, str] = response.json()
        return issued

    async def verify(self, world: World, key: str) -> httpx.Response:
        return await world.client.post(
            "/api/v1/merchant-api-keys/verify", json={"key": key}, headers=world.as_service
        )

    async def test_an_issued_key_verifies_to_its_merchant_and_only_its_hash_is_kept(
        self, world: World
    ) -> None:
        merchant = await world.merchant(new_privilege())
        issued = await self.issue(world, merchant["id"])

        response = await self.verify(world, issued["key"])
        listed = await world.client.get(f"/api/v1/merchants/{merchant['id']}/api-keys", headers=world.ops)

        assert response.status_code == 200
        assert response.json() == {
            "merchant_id": merchant["id"],
            "name": merchant["name"],
            "status": "active",
            "api_key_id": issued["id"],
            "merchant_user_id": issued["merchant_user_id"],
            "user_role": "integration",
            "subject": f"merchant-key:{issued['id']}",
            "expires_at": None,
        }
        assert "key" not in listed.json()[0]
        async with world.sessions() as session:
            from sqlalchemy import text

            stored = (await session.execute(text("SELECT key_hash FROM merchant_api_keys"))).scalars().all()
        assert issued["key"] not in stored

    async def test_an_unknown_key_is_401(self, world: World) -> None:
        response = await self.verify(world, "cyk_deadbeef_nope")

        assert response.status_code == 401
        assert response.json()["type"].endswith("invalid-api-key")

    async def test_a_revoked_key_no_longer_verifies(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        issued = await self.issue(world, merchant["id"])

        revoked = await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/api-keys/{issued['id']}/revoke", headers=world.ops
        )

        assert revoked.status_code == 200
        assert (await self.verify(world, issued["key"])).status_code == 401

    async def test_a_revocation_tells_the_gateway_which_key_to_forget(self, world: World) -> None:
        """The gateway caches verified keys: without this event a revoked key worked on for a minute."""
        merchant = await world.merchant(new_privilege())
        issued = await self.issue(world, merchant["id"])

        await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/api-keys/{issued['id']}/revoke", headers=world.ops
        )

        event = await world.event("cheyou.merchant.api_key_revoked.v1", api_key_id=issued["id"])
        assert event["merchant_id"] == merchant["id"]
        assert event["reason"] == "revoked"

    async def test_after_a_rotation_both_keys_work_during_the_overlap(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        old = await self.issue(world, merchant["id"])

        rotated = await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/api-keys/{old['id']}/rotate",
            headers=world.as_merchant(merchant["id"]),
        )

        assert rotated.status_code == 200
        assert rotated.json()["key"] != old["key"]
        assert (await self.verify(world, old["key"])).status_code == 200
        assert (await self.verify(world, rotated.json()["key"])).status_code == 200
        keys = (
            await world.client.get(f"/api/v1/merchants/{merchant['id']}/api-keys", headers=world.ops)
        ).json()
        assert next(k for k in keys if k["id"] == old["id"])["expires_at"] is not None
        verified_old = (await self.verify(world, old["key"])).json()
        assert verified_old["expires_at"] is not None  # the gateway caches it no longer than that
        event = await world.event("cheyou.merchant.api_key_revoked.v1", api_key_id=old["id"])
        assert event["reason"] == "rotated"
        assert event["effective_at"] is not None

    async def test_only_the_gateway_service_may_verify(self, world: World, identities: Identities) -> None:
        response = await world.client.post(
            "/api/v1/merchant-api-keys/verify",
            json={"key": "cyk_x_y"},
            headers=identities.headers("merchant-svc", Role.OPS),
        )

        assert response.status_code == 403

    async def test_a_merchant_cannot_issue_keys_for_another(self, world: World) -> None:
        mine, other = await world.merchant(new_privilege()), await world.merchant(new_privilege())

        response = await world.client.post(
            f"/api/v1/merchants/{other['id']}/api-keys",
            json={"label": "x"},
            headers=world.as_merchant(mine["id"]),
        )

        assert response.status_code == 404
