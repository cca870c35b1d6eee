"""Merchant users: people acting for a merchant, with personal data encrypted and masked, and their keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)


def users_of(merchant: dict[str, Any]) -> str:
    return f"/api/v1/merchants/{merchant['id']}/users"


async def verify(world: World, key: str) -> Any:
    return await world.client.post(
        "/api/v1/merchant-api-keys/verify", json={"key": key}, headers=world.as_service
    )


class TestCreateUser:
    async def test_ops_create_the_first_admin_with_name_and_phone_masked_and_encrypted(
        self, world: World
    ) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            users_of(merchant),
            json={"name": "林小明", "phone": "13912345678", "role": "merchant_admin"},
            headers=world.ops,
        )

        assert response.status_code == 201, response.text
        user = response.json()
        assert (user["name"], user["phone"], user["role"], user["status"]) == (
            "林**",
            "139****5678",
            "merchant_admin",
            "active",
        )
        async with world.sessions() as session:
            row = (
                await session.execute(
                    text("SELECT name_cipher, phone_cipher FROM merchant_users WHERE id = :id"),
                    {"id": user["id"]},
                )
            ).one()
        assert b"13912345678" not in row.phone_cipher
        assert "林小明".encode() not in row.name_cipher

    async def test_a_bad_phone_is_refused_naming_the_field_and_nothing_is_written(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            users_of(merchant),
            json={"name": "王五", "phone": "12345", "role": "dispatcher"},
            headers=world.ops,
        )

        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.phone"]
        listed = await world.client.get(users_of(merchant), headers=world.ops)
        assert listed.json()["items"] == []

    async def test_a_merchant_admin_adds_users_but_a_dispatcher_may_not(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        admin_key = await world.key(await world.user(merchant["id"], "merchant_admin"))
        dispatcher_key = await world.key(await world.user(merchant["id"], "dispatcher"))
        body = {"name": "赵六", "role": "technician"}

        by_admin = await world.client.post(users_of(merchant), json=body, headers=world.as_key(admin_key))
        by_dispatcher = await world.client.post(
            users_of(merchant), json=body, headers=world.as_key(dispatcher_key)
        )

        assert by_admin.status_code == 201
        assert by_admin.json()["created_by"] == f"merchant-key:{admin_key['id']}"
        assert by_dispatcher.status_code == 403
        assert by_dispatcher.json()["type"].endswith("merchant-role-not-permitted")
        listed = await world.client.get(users_of(merchant), headers=world.ops)
        assert sorted(u["role"] for u in listed.json()["items"]) == [
            "dispatcher",
            "merchant_admin",
            "technician",
        ]


class TestVisibility:
    async def test_a_merchant_sees_only_its_own_users(self, world: World) -> None:
        mine, other = await world.merchant(new_privilege()), await world.merchant(new_privilege())
        my_user = await world.user(mine["id"], "dispatcher")
        their_user = await world.user(other["id"], "dispatcher")

        own = await world.client.get(users_of(mine), headers=world.as_merchant(mine["id"]))
        theirs = await world.client.get(users_of(other), headers=world.as_merchant(mine["id"]))
        smuggled = await world.client.get(
            f"{users_of(mine)}/{their_user['id']}", headers=world.as_merchant(mine["id"])
        )

        assert [u["id"] for u in own.json()["items"]] == [my_user["id"]]
        assert theirs.status_code == 404
        assert smuggled.status_code == 404

    async def test_pages_follow_the_cursor(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        created = [(await world.user(merchant["id"], "technician"))["id"] for _ in range(3)]

        first = (await world.client.get(users_of(merchant), params={"limit": 2}, headers=world.ops)).json()
        second = (
            await world.client.get(
                users_of(merchant), params={"limit": 2, "cursor": first["next_cursor"]}, headers=world.ops
            )
        ).json()

        assert [u["id"] for u in first["items"] + second["items"]] == created
        assert second["next_cursor"] is None


class TestUserKeys:
    async def test_a_users_key_verifies_to_the_user_and_names_it_for_the_gateway(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        user = await world.user(merchant["id"], "dispatcher")
        key = await world.key(user)

        response = await verify(world, key["key"])

        assert response.status_code == 200
        assert response.json()["merchant_user_id"] == user["id"]
        assert response.json()["user_role"] == "dispatcher"
        assert response.json()["subject"] == f"merchant-key:{key['id']}"

    async def test_disabling_a_user_stops_their_keys_at_once(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        user = await world.user(merchant["id"], "dispatcher")
        key = await world.key(user)

        disabled = await world.client.patch(
            f"{users_of(merchant)}/{user['id']}", json={"status": "disabled"}, headers=world.ops
        )

        assert disabled.json()["status"] == "disabled"
        assert (await verify(world, key["key"])).status_code == 401
        # A principal the gateway verified before the change (it caches a minute) is refused too.
        orders = await world.client.get("/api/v1/merchant-api/orders", headers=world.as_key(key))
        assert orders.status_code == 401

    async def test_a_user_manages_only_their_own_keys_and_an_admin_everyones(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        admin_key = await world.key(await world.user(merchant["id"], "merchant_admin"))
        alice_key = await world.key(await world.user(merchant["id"], "dispatcher"))
        bob = await world.user(merchant["id"], "technician")
        bob_key = await world.key(bob)
        keys = f"/api/v1/merchants/{merchant['id']}/api-keys"

        own = await world.client.post(f"{keys}/{alice_key['id']}/rotate", headers=world.as_key(alice_key))
        bobs = await world.client.post(f"{keys}/{bob_key['id']}/revoke", headers=world.as_key(alice_key))
        for_bob = await world.client.post(
            f"{users_of(merchant)}/{bob['id']}/api-keys", json={"label": "x"}, headers=world.as_key(alice_key)
        )
        by_admin = await world.client.post(f"{keys}/{bob_key['id']}/revoke", headers=world.as_key(admin_key))

        assert own.status_code == 200
        assert own.json()["merchant_user_id"] == alice_key["merchant_user_id"]
        assert (bobs.status_code, for_bob.status_code) == (403, 403)
        assert by_admin.json()["revoked_at"] is not None
        assert (await verify(world, bob_key["key"])).status_code == 401

    async def test_a_key_from_before_merchant_users_keeps_working(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        issued = (
            await world.client.post(
                f"/api/v1/merchants/{merchant['id']}/api-keys",
                json={"label": "old server"},
                headers=world.ops,
            )
        ).json()
        async with world.sessions() as session, session.begin():  # as the migration left older keys
            await session.execute(
                text("UPDATE merchant_api_keys SET merchant_user_id = NULL WHERE id = :id"),
                {"id": issued["id"]},
            )

        response = await verify(world, issued["key"])
        orders = await world.client.get(
            "/api/v1/merchant-api/orders", headers=world.as_key({**issued, "merchant_id": merchant["id"]})
        )

        assert response.status_code == 200
        assert (response.json()["merchant_user_id"], response.json()["user_role"]) == (None, None)
        assert orders.status_code == 200

    async def test_keys_issued_without_a_user_go_to_one_integration_user(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        keys = f"/api/v1/merchants/{merchant['id']}/api-keys"

        first = await world.client.post(keys, json={"label": "a"}, headers=world.ops)
        second = await world.client.post(keys, json={"label": "b"}, headers=world.ops)

        assert first.json()["merchant_user_id"] == second.json()["merchant_user_id"] is not None
        users = (await world.client.get(users_of(merchant), headers=world.ops)).json()["items"]
        assert [u["role"] for u in users] == ["integration"]
