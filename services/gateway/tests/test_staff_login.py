"""Staff sign in with a password; repeated failures lock the account for a while."""

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
from cheyou_devinfra import Infra
from cheyou_kit.testing import migrated_database
from gateway.config import Settings
from gateway.seed import seed
from gateway.staff import service as staff
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import GatewayFactory
from .sign_in import STAFF_PASSWORD, bearer, staff_login


class TestStaffLogin:
    async def test_each_demo_role_signs_in(self, client: httpx.AsyncClient) -> None:
        roles = {
            username: (await staff_login(client, username))["role"]
            for username in ("admin", "ops1", "reviewer1", "reviewer2", "manager1", "manager2", "surveyor1")
        }

        assert roles == {
            "admin": "admin",
            "ops1": "ops",
            "reviewer1": "reviewer",
            "reviewer2": "reviewer",
            "manager1": "manager",
            "manager2": "manager",
            "surveyor1": "surveyor",
        }

    async def test_the_username_is_case_insensitive(self, client: httpx.AsyncClient) -> None:
        tokens = await staff_login(client, "Manager1", STAFF_PASSWORD)

        assert tokens["staff_id"] == "manager1"

    async def test_a_wrong_password_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/auth/staff/login", json={"username": "reviewer2", "password": "wrong"}
        )

        assert response.status_code == 401
        assert response.json()["type"].endswith("/invalid-credentials")

    async def test_an_unknown_username_looks_like_a_wrong_password(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/auth/staff/login", json={"username": f"nobody{uuid.uuid4().hex[:6]}", "password": "x"}
        )

        assert response.status_code == 401
        assert response.json()["type"].endswith("/invalid-credentials")

    async def test_a_username_with_a_control_character_is_a_422(self, client: httpx.AsyncClient) -> None:
        """(Found by the fuzzer: Postgres refuses NUL bytes, which once made this a 500.)"""
        response = await client.post(
            "/api/v1/auth/staff/login", json={"username": "ad\u0000min", "password": "x"}
        )

        assert response.status_code == 422

    async def test_repeated_failures_lock_the_account_even_for_the_right_password(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await bearer(client, "admin")
        username = f"locked{uuid.uuid4().hex[:6]}"
        created = await client.post(
            "/api/v1/auth/staff",
            headers=admin,
            json={
                "username": username,
                "display_name": "锁定测试",
                "role": "surveyor",
                "password": "a-long-password",
            },
        )
        assert created.status_code == 201, created.text
        for _ in range(5):
            await client.post("/api/v1/auth/staff/login", json={"username": username, "password": "wrong"})

        response = await client.post(
            "/api/v1/auth/staff/login", json={"username": username, "password": "a-long-password"}
        )

        assert response.status_code == 423
        assert response.json()["type"].endswith("/account-locked")
        assert int(response.headers["Retry-After"]) > 0

    async def test_an_admin_unlocks_a_locked_account(self, client: httpx.AsyncClient) -> None:
        admin = await bearer(client, "admin")
        username = f"unlock{uuid.uuid4().hex[:6]}"
        body = {
            "username": username,
            "display_name": "解锁测试",
            "role": "ops",
            "password": "a-long-password",
        }
        await client.post("/api/v1/auth/staff", headers=admin, json=body)
        for _ in range(5):
            await client.post("/api/v1/auth/staff/login", json={"username": username, "password": "wrong"})

        unlocked = await client.post(f"/api/v1/auth/staff/{username}/unlock", headers=admin)
        response = await client.post(
            "/api/v1/auth/staff/login", json={"username": username, "password": "a-long-password"}
        )

        assert unlocked.status_code == 204
        assert response.status_code == 200

    async def test_a_disabled_account_cannot_sign_in(self, client: httpx.AsyncClient) -> None:
        admin = await bearer(client, "admin")
        username = f"gone{uuid.uuid4().hex[:6]}"
        body = {
            "username": username,
            "display_name": "停用测试",
            "role": "reviewer",
            "password": "a-long-password",
        }
        await client.post("/api/v1/auth/staff", headers=admin, json=body)
        await client.patch(f"/api/v1/auth/staff/{username}", headers=admin, json={"disabled": True})

        response = await client.post(
            "/api/v1/auth/staff/login", json={"username": username, "password": "a-long-password"}
        )

        assert response.status_code == 401

    async def test_sign_in_attempts_per_address_are_limited(self, gateway: GatewayFactory) -> None:
        async with gateway(login_rate_limit_per_ip=3) as limited:
            address = {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}"}
            for _ in range(3):
                await limited.post(
                    "/api/v1/auth/staff/login", headers=address, json={"username": "ops1", "password": "x"}
                )

            response = await limited.post(
                "/api/v1/auth/staff/login",
                headers=address,
                json={"username": "ops1", "password": STAFF_PASSWORD},
            )

        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1


async def _new_account(client: httpx.AsyncClient, prefix: str) -> str:
    username = f"{prefix}{uuid.uuid4().hex[:6]}"
    body = {"username": username, "display_name": "锁定", "role": "reviewer", "password": "a-long-password"}
    created = await client.post("/api/v1/auth/staff", headers=await bearer(client, "admin"), json=body)
    assert created.status_code == 201, created.text
    return username


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}  # the suite's gateway trusts 127.0.0.0/8 as its proxy


def _address() -> str:
    return f"2001:db8:5::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


class TestLockoutAttacks:
    """Security issue 17 (Low): the lockout counted after the check raced, and anyone could lock anyone."""

    async def test_twenty_concurrent_guesses_get_five_password_checks_at_most(
        self, client: httpx.AsyncClient
    ) -> None:
        username = await _new_account(client, "race")
        attacker = _from(_address())
        failures_before = REGISTRY.get_sample_value(
            "cheyou_staff_sign_in_failures_total", {"outcome": "failure"}
        )

        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/auth/staff/login",
                    headers=attacker,
                    json={"username": username, "password": f"guess-{n}"},
                )
                for n in range(20)
            )
        )
        statuses = sorted(answer.status_code for answer in answers)
        checked = REGISTRY.get_sample_value("cheyou_staff_sign_in_failures_total", {"outcome": "failure"})

        assert statuses == [401] * 5 + [423] * 15  # 401: a password was checked; 423: it was not
        assert (checked or 0) - (failures_before or 0) == 5

    async def test_an_attacker_at_one_address_cannot_lock_the_owner_out_at_another(
        self, client: httpx.AsyncClient
    ) -> None:
        username = await _new_account(client, "owner")
        attacker, owner = _from(_address()), _from(_address())
        for _ in range(6):
            await client.post(
                "/api/v1/auth/staff/login", headers=attacker, json={"username": username, "password": "x"}
            )

        attackers_next = await client.post(
            "/api/v1/auth/staff/login",
            headers=attacker,
            json={"username": username, "password": "a-long-password"},
        )
        owners = await client.post(
            "/api/v1/auth/staff/login",
            headers=owner,
            json={"username": username, "password": "a-long-password"},
        )

        assert attackers_next.status_code == 423  # even the right password: this address is locked
        assert owners.status_code == 200, owners.text

    async def test_each_further_lock_of_the_same_address_lasts_twice_as_long(
        self, client: httpx.AsyncClient, gateway: GatewayFactory
    ) -> None:
        username = await _new_account(client, "backoff")
        attacker = _from(_address())
        wrong = {"username": username, "password": "x"}
        async with gateway(staff_max_failures=1, staff_lockout_seconds=2) as quick:
            first = [
                (await quick.post("/api/v1/auth/staff/login", headers=attacker, json=wrong)) for _ in range(2)
            ]
            await asyncio.sleep(2.2)
            second = [
                (await quick.post("/api/v1/auth/staff/login", headers=attacker, json=wrong)) for _ in range(2)
            ]

        assert [answer.status_code for answer in first] == [401, 423]
        assert first[1].headers["Retry-After"] == "2"
        assert [answer.status_code for answer in second] == [401, 423]
        assert second[1].headers["Retry-After"] == "4"

    async def test_the_admins_unlock_lifts_the_lock_of_every_address(self, client: httpx.AsyncClient) -> None:
        username = await _new_account(client, "lift")
        addresses = [_from(_address()), _from(_address())]
        for address in addresses:
            for _ in range(6):
                await client.post(
                    "/api/v1/auth/staff/login", headers=address, json={"username": username, "password": "x"}
                )

        unlocked = await client.post(
            f"/api/v1/auth/staff/{username}/unlock", headers=await bearer(client, "admin")
        )
        answers = [
            await client.post(
                "/api/v1/auth/staff/login",
                headers=address,
                json={"username": username, "password": "a-long-password"},
            )
            for address in addresses
        ]

        assert unlocked.status_code == 204
        assert [answer.status_code for answer in answers] == [200, 200]


class TestStaffAdministration:
    async def test_only_an_admin_opens_staff_accounts(self, client: httpx.AsyncClient) -> None:
        ops = await bearer(client, "ops1")
        body = {"username": "sneaky", "display_name": "x", "role": "admin", "password": "a-long-password"}

        response = await client.post("/api/v1/auth/staff", headers=ops, json=body)

        assert response.status_code == 403

    async def test_a_new_account_signs_in_with_its_role(self, client: httpx.AsyncClient) -> None:
        admin = await bearer(client, "admin")
        username = f"mgr{uuid.uuid4().hex[:6]}"
        body = {
            "username": username,
            "display_name": "新经理",
            "role": "manager",
            "password": "a-long-password",
        }

        created = await client.post("/api/v1/auth/staff", headers=admin, json=body)
        tokens = await staff_login(client, username, "a-long-password")

        assert created.json() == {
            "username": username,
            "display_name": "新经理",
            "role": "manager",
            "disabled": False,
        }
        assert tokens["role"] == "manager"

    async def test_a_name_with_a_control_character_is_a_422(self, client: httpx.AsyncClient) -> None:
        """(Found by the fuzzer: Postgres refuses NUL bytes, which once made this a 500.)"""
        admin = await bearer(client, "admin")
        body = {
            "username": "nul-name",
            "display_name": "a\u0000b",
            "role": "ops",
            "password": "a-long-password",
        }

        response = await client.post("/api/v1/auth/staff", headers=admin, json=body)

        assert response.status_code == 422

    async def test_a_username_is_taken_once(self, client: httpx.AsyncClient) -> None:
        admin = await bearer(client, "admin")
        body = {
            "username": "reviewer1",
            "display_name": "x",
            "role": "reviewer",
            "password": "a-long-password",
        }

        response = await client.post("/api/v1/auth/staff", headers=admin, json=body)

        assert response.status_code == 409

    async def test_staff_are_listed_page_by_page(self, client: httpx.AsyncClient) -> None:
        admin = await bearer(client, "admin")

        first = (await client.get("/api/v1/auth/staff", headers=admin, params={"limit": 2})).json()
        second = (
            await client.get(
                "/api/v1/auth/staff", headers=admin, params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()

        assert len(first["items"]) == 2
        assert first["next_cursor"] == first["items"][-1]["username"]
        assert second["items"][0]["username"] > first["items"][-1]["username"]


@pytest.mark.usefixtures("client")  # the app seeds the demo staff at start-up
class TestSeed:
    async def test_seeding_twice_creates_nothing_the_second_time(self, session: AsyncSession) -> None:
        await staff.seed_demo(session, "p1", "p2")

        assert await staff.seed_demo(session, "p1", "p2") == []

    async def test_seeding_keeps_an_existing_password(self, session: AsyncSession) -> None:
        before = await staff.active(session, "reviewer1")
        assert before is not None
        password_hash = before.password_hash

        await staff.seed_demo(session, "another", "another")

        after = await staff.active(session, "reviewer1")
        assert after is not None
        assert after.password_hash == password_hash


class TestSeedCommand:
    async def test_the_command_creates_the_demo_staff_once(
        self, infra: Infra, base_settings: dict[str, object]
    ) -> None:
        url = await migrated_database(infra, Path(__file__).parents[1], "gateway_seed")
        settings = Settings.model_validate({**base_settings, "database_url": url})

        first, second = await seed(settings), await seed(settings)

        assert first == ["admin", "ops1", "reviewer1", "reviewer2", "manager1", "manager2", "surveyor1"]
        assert second == []
