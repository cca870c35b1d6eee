"""A booking may name the merchant service point the member chose nearby; it travels with the order."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from cheyou_events.catalogue.fields import Tier
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

AUDIENCE = "privilege-svc"
NewMember = Callable[..., Awaitable[str]]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]
DRIVE_HOME = {
    "privilege_code": "after_drinking_driving",
    "pickup_address": "福州市鼓楼区五四路 128 号",
    "destination_address": "福州市仓山区金山大道 8 号",
    "vehicle_plate": "闽A12345",
}


async def test_the_chosen_point_is_kept_and_sent_to_merchant_svc(
    client: httpx.AsyncClient, identities: Identities, new_member: NewMember, emitted: Emitted
) -> None:
    member_id = await new_member(Tier.THREE_STAR)
    point_id = str(uuid.uuid4())
    headers = identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)

    response = await client.post(
        "/api/v1/orders", json={**DRIVE_HOME, "service_point_id": point_id}, headers=headers
    )

    assert response.status_code == 201, response.text
    assert response.json()["service_point_id"] == point_id
    [requested] = await emitted("cheyou.privilege.order_requested.v1", member_id)
    assert requested["service_point_id"] == point_id


async def test_a_malformed_point_is_a_422_that_writes_nothing(
    client: httpx.AsyncClient, identities: Identities, new_member: NewMember
) -> None:
    member_id = await new_member(Tier.THREE_STAR)
    headers = identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)

    response = await client.post(
        "/api/v1/orders", json={**DRIVE_HOME, "service_point_id": "car-wash-1"}, headers=headers
    )
    listed = await client.get("/api/v1/orders", headers=headers)

    assert response.status_code == 422
    assert "body.service_point_id" in [e["field"] for e in response.json()["errors"]]
    assert listed.json()["items"] == []
