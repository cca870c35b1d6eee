"""Access tokens are short-lived and checked; refresh tokens rotate, and a reused one ends the session."""

import time
import uuid

import httpx
import jwt
from cheyou_kit.identity import IdentitySigner, Principal, Role
from cheyou_kit.testing import Identities
from gateway.config import Settings

from .sign_in import staff_login


def _token(settings: Settings, **changes: object) -> str:
    assert settings.access_token_secret is not None
    now = int(time.time())
    claims = {
        "iss": "cheyou-gateway",
        "aud": "cheyou-api",
        "iat": now,
        "exp": now + 60,
        "sub": "staff:admin",
        "role": "admin",
        "staff_id": "admin",
        "sid": uuid.uuid4().hex,
        **changes,
    }
    return jwt.encode(claims, settings.access_token_secret.get_secret_value().encode(), algorithm="HS256")


class TestAccessToken:
    async def test_a_valid_token_says_who_is_calling(self, client: httpx.AsyncClient) -> None:
        tokens = await staff_login(client, "surveyor1")

        response = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )

        assert response.json() == {
            "subject": "staff:surveyor1",
            "role": "surveyor",
            "member_id": None,
            "staff_id": "surveyor1",
            "merchant_id": None,
            "merchant_user_id": None,
            "merchant_role": None,
        }

    async def test_an_expired_token_is_refused(
        self, client: httpx.AsyncClient, service_settings: Settings
    ) -> None:
        token = _token(service_settings, iat=int(time.time()) - 120, exp=int(time.time()) - 60)

        response = await client.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {token}"})

        assert response.status_code == 401
        assert response.json()["type"].endswith("/invalid-token")

    async def test_a_tampered_token_is_refused(self, client: httpx.AsyncClient) -> None:
        token = (await staff_login(client, "reviewer1"))["access_token"]
        header, payload, signature = token.split(".")
        forged_payload = jwt.utils.base64url_encode(
            jwt.utils.base64url_decode(payload).replace(b'"reviewer"', b'"admin"')
        ).decode()

        response = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {header}.{forged_payload}.{signature}"}
        )

        assert response.status_code == 401

    async def test_a_token_for_another_audience_is_refused(
        self, client: httpx.AsyncClient, service_settings: Settings
    ) -> None:
        response = await client.get(
            "/api/v1/auth/whoami",
            headers={"Authorization": f"Bearer {_token(service_settings, aud='member-svc')}"},
        )

        assert response.status_code == 401

    async def test_an_internal_identity_token_is_no_access_token(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        private_key = identities.public_key_file.with_name("internal-token.key").read_bytes()
        internal = IdentitySigner(private_key).sign(
            Principal(subject="x", role=Role.ADMIN), "cheyou-api", method="GET", path="/api/v1/auth/whoami"
        )

        response = await client.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {internal}"})

        assert response.status_code == 401

    async def test_a_token_signed_with_no_key_is_refused(self, client: httpx.AsyncClient) -> None:
        unsigned = jwt.encode({"sub": "staff:admin", "role": "admin"}, key="", algorithm="none")

        response = await client.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {unsigned}"})

        assert response.status_code == 401

    async def test_another_scheme_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/auth/whoami", headers={"Authorization": "Basic YWRtaW46eA=="})

        assert response.status_code == 401


class TestRefresh:
    async def test_a_refresh_token_is_traded_for_new_tokens(self, client: httpx.AsyncClient) -> None:
        tokens = await staff_login(client, "manager2")

        response = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

        renewed = response.json()
        assert response.status_code == 200
        assert renewed["refresh_token"] != tokens["refresh_token"]
        assert renewed["role"] == "manager"
        whoami = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {renewed['access_token']}"}
        )
        assert whoami.json()["staff_id"] == "manager2"

    async def test_reusing_a_spent_refresh_token_revokes_the_whole_session(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await staff_login(client, "manager1")
        renewed = (
            await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        ).json()

        reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

        assert reuse.status_code == 401
        assert reuse.json()["type"].endswith("/refresh-token-reused")
        later = await client.post("/api/v1/auth/refresh", json={"refresh_token": renewed["refresh_token"]})
        assert later.status_code == 401
        whoami = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {renewed['access_token']}"}
        )
        assert whoami.status_code == 401
        assert whoami.json()["type"].endswith("/token-revoked")

    async def test_an_unknown_refresh_token_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": f"{uuid.uuid4().hex}.not-a-token"}
        )

        assert response.status_code == 401

    async def test_a_disabled_account_loses_its_session_at_refresh(self, client: httpx.AsyncClient) -> None:
        admin = {"Authorization": f"Bearer {(await staff_login(client, 'admin'))['access_token']}"}
        username = f"leaver{uuid.uuid4().hex[:6]}"
        body = {"username": username, "display_name": "离职", "role": "ops", "password": "a-long-password"}
        await client.post("/api/v1/auth/staff", headers=admin, json=body)
        tokens = await staff_login(client, username, "a-long-password")
        await client.patch(f"/api/v1/auth/staff/{username}", headers=admin, json={"disabled": True})

        response = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

        assert response.status_code == 401


class TestLogout:
    async def test_after_logout_neither_token_works(self, client: httpx.AsyncClient) -> None:
        tokens = await staff_login(client, "ops1")
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}

        response = await client.post("/api/v1/auth/logout", headers=headers)

        assert response.status_code == 204
        assert (await client.get("/api/v1/auth/whoami", headers=headers)).status_code == 401
        assert (await client.get("/api/v1/applications/echo", headers=headers)).status_code == 401
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401

    async def test_logout_ends_only_that_session(self, client: httpx.AsyncClient) -> None:
        first, second = await staff_login(client, "ops1"), await staff_login(client, "ops1")

        await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first['access_token']}"})

        whoami = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {second['access_token']}"}
        )
        assert whoami.status_code == 200
