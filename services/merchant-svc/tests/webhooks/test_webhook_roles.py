"""Security issue 17, Medium 7: only a merchant's admins and its integration user manage webhook endpoints
and read their signing secrets; dispatchers and technicians get 403, by API key or signed in."""

from __future__ import annotations

from typing import Any

import pytest

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

ENDPOINTS = "/api/v1/webhook-endpoints"


async def _attempts(world: World, headers: dict[str, str], merchant_id: str, endpoint_id: str) -> list[Any]:
    """Every way to read or change an endpoint and its secrets; the answers."""
    client = world.client
    return [
        await client.post(
            ENDPOINTS, json={"merchant_id": merchant_id, "url": "http://127.0.0.1:9/x"}, headers=headers
        ),
        await client.get(ENDPOINTS, headers=headers),
        await client.get(f"{ENDPOINTS}/{endpoint_id}", headers=headers),
        await client.get(f"{ENDPOINTS}/{endpoint_id}/secrets", headers=headers),
        await client.post(f"{ENDPOINTS}/{endpoint_id}/secrets/rotate", json={}, headers=headers),
        await client.patch(
            f"{ENDPOINTS}/{endpoint_id}", json={"url": "http://127.0.0.1:9/y"}, headers=headers
        ),
        await client.post(f"{ENDPOINTS}/{endpoint_id}/disable", headers=headers),
        await client.post(f"{ENDPOINTS}/{endpoint_id}/enable", headers=headers),
        await client.get(f"{ENDPOINTS}/{endpoint_id}/attempts", headers=headers),
        await client.get("/api/v1/webhook-messages", headers=headers),
    ]


@pytest.mark.parametrize("role", ["technician", "dispatcher"])
@pytest.mark.parametrize("credential", ["key", "signed_in"])
async def test_staff_who_only_work_orders_cannot_touch_webhooks(
    world: World, role: str, credential: str
) -> None:
    merchant = await world.merchant(new_privilege())
    endpoint = await world.endpoint(merchant["id"], "http://127.0.0.1:9/hook")
    user = await world.user(merchant["id"], role)
    headers = world.as_key(await world.key(user)) if credential == "key" else world.as_user(user)

    answers = await _attempts(world, headers, merchant["id"], endpoint["id"])

    assert [a.status_code for a in answers] == [403] * len(answers)
    assert all("whsec_" not in a.text for a in answers)
    secrets = await world.client.get(f"{ENDPOINTS}/{endpoint['id']}/secrets", headers=world.ops)
    assert len(secrets.json()) == 1  # nothing rotated
    assert (await world.client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=world.ops)).json()[
        "status"
    ] == "enabled"


@pytest.mark.parametrize("role", ["merchant_admin", "integration"])
async def test_admins_and_the_integration_manage_them(world: World, role: str) -> None:
    merchant = await world.merchant(new_privilege())
    endpoint = await world.endpoint(merchant["id"], "http://127.0.0.1:9/hook")
    user = await world.user(merchant["id"], role)

    for headers in (world.as_key(await world.key(user)), world.as_user(user)):
        answers = await _attempts(world, headers, merchant["id"], endpoint["id"])
        assert [a.status_code for a in answers] == [201, 200, 200, 200, 200, 200, 200, 200, 200, 200]
        assert answers[3].json()[0]["secret"].startswith("whsec_")
