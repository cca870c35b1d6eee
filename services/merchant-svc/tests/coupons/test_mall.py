"""Coupons from the points mall: a coupon reward redeemed in privilege-svc issues one coupon, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from cheyou_events import Envelope
from cheyou_events.catalogue.privilege import RewardRedeemed
from cheyou_kit.testing import publish
from sqlalchemy import text

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)
from .test_coupons import batch


async def redeem_in_mall(
    world: World,
    member_id: uuid.UUID,
    batch_id: str | None,
    *,
    redemption_id: str | None = None,
    kind: str = "coupon",
) -> str:
    """privilege-svc's event for a redemption (a new envelope each call, as a producer retry would make)."""
    redemption_id = redemption_id or f"R{uuid.uuid4().hex[:12]}"
    event = RewardRedeemed(
        redemption_id=redemption_id,
        reward_id="reward-car-wash-coupon",
        member_id=str(member_id),
        reward_name="洗车券",
        kind=kind,
        points=500,
        redeemed_at=datetime.now(UTC),
        coupon_batch_id=batch_id,
    )
    await publish(world.settings.kafka_bootstrap_servers, Envelope.new(event, source="privilege-svc"))
    return redemption_id


async def handled(world: World, redemption_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        async with world.sessions() as session:
            row = (
                await session.execute(
                    text("SELECT coupon_id, refused FROM coupon_mall_redemptions WHERE redemption_id = :id"),
                    {"id": redemption_id},
                )
            ).one_or_none()
        return {"coupon_id": row.coupon_id, "refused": row.refused} if row else None

    return await world.until(probe)


async def coupons_of(world: World, member_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await world.client.get("/api/v1/coupons", headers=world.as_member(member_id))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestMallCoupons:
    async def test_a_coupon_reward_issues_one_coupon_the_member_then_lists(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant)
        member = uuid.uuid4()

        redemption_id = await redeem_in_mall(world, member, offer["id"])

        outcome = await handled(world, redemption_id)
        assert outcome["refused"] is None
        listed = await coupons_of(world, member)
        assert [(c["id"], c["batch_id"], c["source"]) for c in listed] == [
            (str(outcome["coupon_id"]), offer["id"], "points_mall")
        ]

    async def test_the_same_redemption_delivered_twice_issues_one_coupon(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant, per_member_limit=5)
        marker_offer = await batch(world, merchant)
        member = uuid.uuid4()

        redemption_id = await redeem_in_mall(world, member, offer["id"])
        await redeem_in_mall(world, member, offer["id"], redemption_id=redemption_id)
        # Same member, same partition and lane: once this later one is handled, so were both before it.
        await handled(world, await redeem_in_mall(world, member, marker_offer["id"]))

        assert sorted(c["batch_id"] for c in await coupons_of(world, member)) == sorted(
            [offer["id"], marker_offer["id"]]
        )
        got = await world.client.get(f"/api/v1/coupons/batches/{offer['id']}", headers=world.ops)
        assert got.json()["issued_count"] == 1

    async def test_an_exhausted_batch_refuses_records_and_tells_privilege_svc(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant, quantity=1)
        first, second = uuid.uuid4(), uuid.uuid4()
        await handled(world, await redeem_in_mall(world, first, offer["id"]))

        redemption_id = await redeem_in_mall(world, second, offer["id"])

        assert (await handled(world, redemption_id))["refused"] == "batch_exhausted"
        event = await world.event("cheyou.merchant.coupon_issue_refused.v1", redemption_id=redemption_id)
        assert (event["member_id"], event["batch_id"], event["reason"]) == (
            str(second),
            offer["id"],
            "batch_exhausted",
        )
        assert await coupons_of(world, second) == []
        refused = await world.client.get(
            "/api/v1/coupons/mall-redemptions", params={"refused_only": True, "limit": 200}, headers=world.ops
        )
        assert redemption_id in [r["redemption_id"] for r in refused.json()["items"]]

    async def test_the_per_member_limit_holds_for_mall_redemptions(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant, per_member_limit=1)
        member = uuid.uuid4()
        await handled(world, await redeem_in_mall(world, member, offer["id"]))

        again = await redeem_in_mall(world, member, offer["id"])

        assert (await handled(world, again))["refused"] == "member_limit"
        assert len(await coupons_of(world, member)) == 1

    async def test_a_batch_we_do_not_know_is_refused(self, world: World) -> None:
        redemption_id = await redeem_in_mall(world, uuid.uuid4(), str(uuid.uuid4()))

        assert (await handled(world, redemption_id))["refused"] == "unknown_batch"
        await world.event("cheyou.merchant.coupon_issue_refused.v1", redemption_id=redemption_id)

    async def test_a_member_sees_only_their_own_coupons(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant)
        owner, other = uuid.uuid4(), uuid.uuid4()
        await handled(world, await redeem_in_mall(world, owner, offer["id"]))

        theirs = await world.client.get(
            "/api/v1/coupons", params={"member_id": str(owner)}, headers=world.as_member(other)
        )

        assert theirs.status_code == 404
        assert await coupons_of(world, other) == []
        assert len(await coupons_of(world, owner)) == 1
