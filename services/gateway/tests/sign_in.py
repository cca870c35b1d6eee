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


async def wechat_authorize(
    client: httpx.AsyncClient, openid: str, *, redirect: str = "/h5/me"
) -> tuple[dict[str, Any], httpx.URL]:
    """What the H5 and the browser do: ask the gateway for the authorize URL, follow it to the (fake)
    WeChat page, choose ``openid`` there; the authorize-url answer and the URL WeChat sent us back to."""
    started = await client.get("/api/v1/auth/wechat/authorize-url", params={"redirect": redirect})
    assert started.status_code == 200, started.text
    authorize = httpx.URL(started.json()["url"])
    async with httpx.AsyncClient() as browser:
        chosen = await browser.post(
            authorize.copy_with(query=None, fragment=None), data={**dict(authorize.params), "openid": openid}
        )
    assert chosen.status_code == 302, chosen.text
    return started.json(), httpx.URL(chosen.headers["location"])


async def wechat_code_sign_in(client: httpx.AsyncClient, openid: str) -> httpx.Response:
    """The whole browser flow for ``openid``; the gateway's answer to the code."""
    started, back = await wechat_authorize(client, openid)
    return await client.post(
        "/api/v1/auth/wechat",
        json={"code": back.params["code"], "state": back.params["state"], "verifier": started["verifier"]},
    )


async def wechat_sign_in(
    client: httpx.AsyncClient, wechat_url: str, world: World, *, status: str = "active"
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A new member bound to a new openid, signed in through WeChat web authorization."""
    del wechat_url  # the gateway's authorize URL points at the fake WeChat server
    openid = f"o-{uuid.uuid4().hex}"
    member_id = world.member(openid=openid, status=status)
    response = await wechat_code_sign_in(client, openid)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return member_id, tokens
