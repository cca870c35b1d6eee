"""Merchant staff signed in at the gateway (phone + SMS code): the gateway finds them by phone through
merchant-svc, and merchant-svc checks them on every call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from ..world import World, new_phone, new_privilege  # noqa: TID252  (shared test helpers, no package path)

API = "/api/v1/merchant-api/orders"


async def lookup(world: World, phone: str, headers: dict[str, str] | None = None) -> Any:
    return await world.client.post(
        "/api/v1/merchant-users/lookup", json={"phone": phone}, headers=headers or world.as_service
    )


class TestPhone:
    async def test_a_phone_is_kept_as_a_keyed_hash_and_finds_its_user(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        phone = new_phone()
        user = await world.user(merchant["id"], "dispatcher", phone=phone)

        found = await lookup(world, phone)

        assert found.status_code == 200, found.text
        assert found.json() == {
            "user_id": user["id"],
            "merchant_id": merchant["id"],
            "role": "dispatcher",
            "status": "active",
            "merchant_status": "active",
            "active": True,
        }
        async with world.sessions() as session:
            stored = (
                await session.execute(
                    text("SELECT phone_hash FROM merchant_users WHERE id = :id"), {"id": user["id"]}
                )
            ).scalar_one()
        assert phone not in stored
        assert len(stored) == 64

    async def test_one_user_per_phone(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        phone = new_phone()
        await world.user(merchant["id"], "dispatcher", phone=phone)

        again = await world.client.post(
            f"/api/v1/merchants/{merchant['id']}/users",
            json={"name": "李四", "phone": phone, "role": "technician"},
            headers=world.ops,
        )

        assert again.status_code == 409
        assert again.json()["type"].endswith("merchant-user-phone-taken")

    async def test_an_admin_gives_a_user_a_phone_later(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        admin = await world.user(merchant["id"], "merchant_admin")
        user = await world.user(merchant["id"], "technician")
        phone = new_phone()

        patched = await world.client.patch(
            f"/api/v1/merchants/{merchant['id']}/users/{user['id']}",
            json={"phone": phone},
            headers=world.as_user(admin),
        )

        assert patched.status_code == 200, patched.text
        assert patched.json()["phone"] == f"{phone[:3]}****{phone[-4:]}"
        assert (await lookup(world, phone)).json()["user_id"] == user["id"]

    async def test_an_unknown_phone_is_404(self, world: World) -> None:
        assert (await lookup(world, new_phone())).status_code == 404

    async def test_only_the_gateway_looks_phones_up(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        phone = new_phone()
        await world.user(merchant["id"], "dispatcher", phone=phone)

        for headers in (world.ops, world.as_merchant(merchant["id"])):
            assert (await lookup(world, phone, headers)).status_code == 403


class TestSignedInUser:
    async def test_a_signed_in_dispatcher_accepts_and_the_history_names_them(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        dispatcher = await world.user(merchant["id"], "dispatcher")
        order_id = (await world.dispatched(privilege))["order_id"]

        accepted = await world.client.post(
            f"{API}/{order_id}/accept", json={}, headers=world.as_user(dispatcher)
        )

        assert accepted.status_code == 200, accepted.text
        history = (await world.fulfilment(order_id))["history"]
        assert history[-1]["action"] == "accepted"
        assert history[-1]["merchant_user_id"] == dispatcher["id"]

    async def test_a_signed_in_technician_may_not_accept(self, world: World) -> None:
        privilege = new_privilege()
        merchant = await world.merchant(privilege)
        technician = await world.user(merchant["id"], "technician")
        order_id = (await world.dispatched(privilege))["order_id"]

        response = await world.client.post(
            f"{API}/{order_id}/accept", json={}, headers=world.as_user(technician)
        )

        assert response.status_code == 403

    async def test_a_disabled_user_is_refused_at_once(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        dispatcher = await world.user(merchant["id"], "dispatcher")
        assert (await world.client.get(API, headers=world.as_user(dispatcher))).status_code == 200
        await world.client.patch(
            f"/api/v1/merchants/{merchant['id']}/users/{dispatcher['id']}",
            json={"status": "disabled"},
            headers=world.ops,
        )

        refused = await world.client.get(API, headers=world.as_user(dispatcher))
        standing = await world.client.get(
            f"/api/v1/merchant-users/{dispatcher['id']}/standing", headers=world.as_service
        )

        assert refused.status_code == 401
        assert refused.json()["type"].endswith("merchant-user-inactive")
        assert (standing.json()["status"], standing.json()["active"]) == ("disabled", False)

    async def test_a_suspended_merchant_s_staff_are_refused_at_once(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        dispatcher = await world.user(merchant["id"], "dispatcher")
        await world.set_status(merchant["id"], "suspended")

        refused = await world.client.get(API, headers=world.as_user(dispatcher))
        standing = await world.client.get(
            f"/api/v1/merchant-users/{dispatcher['id']}/standing", headers=world.as_service
        )

        assert refused.status_code == 401
        assert (standing.json()["merchant_status"], standing.json()["active"]) == ("suspended", False)

    async def test_a_user_cannot_act_for_another_merchant(self, world: World) -> None:
        """The attack: a token naming one merchant's user with another merchant's id."""
        mine, other = await world.merchant(new_privilege()), await world.merchant(new_privilege())
        user = await world.user(mine["id"], "merchant_admin")

        forged = world.as_user({**user, "merchant_id": other["id"]})
        response = await world.client.get(API, headers=forged)

        assert response.status_code == 401
