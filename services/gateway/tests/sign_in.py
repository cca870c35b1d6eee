"""Signing in through the gateway, the way the front ends do."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from .stand_ins import World

STAFF_PASSWORD = "test-staff-password"
ADMIN_PASSWORD = "test-admin-password"


async def staff_login(
    client: httpx.AsyncClient, username: str, password: str | None = None
) -> dict[str, Any]:
    password = password or (ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD)
    response = await client.post(
        "/api/v1/auth/staff/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def bearer(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await staff_login(client, username))['access_token']}"}


async def wechat_sign_in(
    client: httpx.AsyncClient, wechat_url: str, world: World, *, status: str = "active"
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A new member bound to a new openid, signed in through the WeChat code flow."""
    openid, code = f"o-{uuid.uuid4().hex}", uuid.uuid4().hex
    member_id = world.member(openid=openid, status=status)
    async with httpx.AsyncClient() as http:
        await http.post(f"{wechat_url}/_fake/oauth-codes", json={"code": code, "openid": openid})
    response = await client.post("/api/v1/auth/wechat", json={"code": code})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return member_id, tokens
