"""Coupons: batches, issuing within limits, the member's own list, redemption exactly once, reconciliation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

REDEEM = "/api/v1/merchant-api/coupons/redeem"


async def batch(world: World, merchant: dict[str, Any], **fields: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "merchant_id": merchant["id"],
        "title": "洗车立减 20 元",
        "kind": "amount_off",
        "amount_off_fen": 2000,
        "valid_from": (now - timedelta(days=1)).isoformat(),
        "valid_until": (now + timedelta(days=30)).isoformat(),
        "quantity": 10,
        "per_member_limit": 1,
        **fields,
    }
    response = await world.client.post("/api/v1/coupons/batches", json=body, headers=world.ops)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def issue(world: World, batch_id: str, *member_ids: uuid.UUID) -> Any:
    return await world.client.post(
        f"/api/v1/coupons/batches/{batch_id}/issue",
        json={"member_ids": [str(m) for m in member_ids]},
        headers=world.ops,
    )


class TestCreateBatch:
    async def test_a_percent_coupon_without_its_percentage_is_refused(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        now = datetime.now(UTC)

        response = await world.client.post(
            "/api/v1/coupons/batches",
            json={
                "merchant_id": merchant["id"],
                "title": "x",
                "kind": "percent_off",
                "valid_from": now.isoformat(),
                "valid_until": (now + timedelta(days=1)).isoformat(),
                "quantity": 1,
            },
            headers=world.ops,
        )

        assert response.status_code == 422


class TestListBatches:
    async def test_a_merchant_lists_only_its_own_whatever_it_names_and_ops_the_one_they_name(
        self, world: World
    ) -> None:
        mine = await world.merchant(new_privilege(), category="car_wash")
        theirs = await world.merchant(new_privilege(), category="car_wash")
        own = await batch(world, mine, title="我的")
        other = await batch(world, theirs, title="别家")

        async def titles(headers: dict[str, str], **params: str) -> list[str]:
            response = await world.client.get("/api/v1/coupons/batches", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return [b["title"] for b in response.json() if b["id"] in (own["id"], other["id"])]

        assert await titles(world.as_merchant(mine["id"])) == ["我的"]
        assert await titles(world.as_merchant(mine["id"]), merchant_id=theirs["id"]) == ["我的"]
        assert await titles(world.ops, merchant_id=theirs["id"]) == ["别家"]


class TestIssue:
    async def test_the_per_member_limit_holds_and_nothing_is_issued_on_refusal(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant)
        member, other = uuid.uuid4(), uuid.uuid4()
        assert (await issue(world, created["id"], member)).status_code == 201

        refused = await issue(world, created["id"], other, member)

        assert refused.status_code == 409
        assert refused.json()["members"] == [str(member)]
        after = await world.client.get(f"/api/v1/coupons/batches/{created['id']}", headers=world.ops)
        assert after.json()["issued_count"] == 1

    async def test_concurrent_issues_never_exceed_the_quantity(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant, quantity=5)

        answers = await asyncio.gather(*(issue(world, created["id"], uuid.uuid4()) for _ in range(8)))

        assert sorted(a.status_code for a in answers) == [201] * 5 + [409] * 3
        after = await world.client.get(f"/api/v1/coupons/batches/{created['id']}", headers=world.ops)
        assert after.json()["issued_count"] == 5


class TestMemberCoupons:
    async def test_a_member_lists_their_own_coupons_only(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant)
        member, other = uuid.uuid4(), uuid.uuid4()
        await issue(world, created["id"], member)

        own = await world.client.get(
            "/api/v1/coupons", params={"member_id": str(member)}, headers=world.as_member(member)
        )
        theirs = await world.client.get(
            "/api/v1/coupons", params={"member_id": str(member)}, headers=world.as_member(other)
        )

        assert [c["title"] for c in own.json()["items"]] == ["洗车立减 20 元"]
        assert theirs.status_code == 404

    async def test_the_member_gets_a_qr_code_of_their_coupon(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant)
        member = uuid.uuid4()
        [coupon] = (await issue(world, created["id"], member)).json()

        qr = await world.client.get(f"/api/v1/coupons/{coupon['id']}/qr", headers=world.as_member(member))
        stranger = await world.client.get(
            f"/api/v1/coupons/{coupon['id']}/qr", headers=world.as_member(uuid.uuid4())
        )

        assert qr.headers["content-type"] == "image/svg+xml"
        assert qr.content.startswith(b"<?xml")
        assert stranger.status_code == 404


class TestRedeem:
    async def test_a_coupon_is_redeemed_exactly_once_under_concurrency(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant)
        [coupon] = (await issue(world, created["id"], uuid.uuid4())).json()
        headers = world.as_merchant(merchant["id"])

        answers = await asyncio.gather(
            *(
                world.client.post(REDEEM, json={"code": coupon["code"].lower()}, headers=headers)
                for _ in range(5)
            )
        )

        assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
        event = await world.event("cheyou.merchant.coupon_redeemed.v1", coupon_id=coupon["id"])
        assert event["merchant_id"] == merchant["id"]

    async def test_an_unknown_code_or_another_merchants_is_404(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        stranger = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant)
        [coupon] = (await issue(world, created["id"], uuid.uuid4())).json()

        unknown = await world.client.post(
            REDEEM, json={"code": "NOPE2345"}, headers=world.as_merchant(merchant["id"])
        )
        foreign = await world.client.post(
            REDEEM, json={"code": coupon["code"]}, headers=world.as_merchant(stranger["id"])
        )

        assert unknown.status_code == foreign.status_code == 404
        verify = await world.client.get(
            f"/api/v1/merchant-api/coupons/{coupon['code']}", headers=world.as_merchant(merchant["id"])
        )
        assert verify.json()["status"] == "issued"

    async def test_an_expired_coupon_is_refused(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        now = datetime.now(UTC)
        created = await batch(
            world,
            merchant,
            valid_from=(now + timedelta(days=1)).isoformat(),
            valid_until=(now + timedelta(days=2)).isoformat(),
        )
        [coupon] = (await issue(world, created["id"], uuid.uuid4())).json()

        response = await world.client.post(
            REDEEM, json={"code": coupon["code"]}, headers=world.as_merchant(merchant["id"])
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("coupon-not-valid-now")


class TestReconciliation:
    async def test_issued_and_redeemed_per_batch_in_the_period(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        created = await batch(world, merchant)
        coupons = (await issue(world, created["id"], uuid.uuid4(), uuid.uuid4(), uuid.uuid4())).json()
        for coupon in coupons[:2]:
            await world.client.post(
                REDEEM, json={"code": coupon["code"]}, headers=world.as_merchant(merchant["id"])
            )
        now = datetime.now(UTC)

        response = await world.client.get(
            "/api/v1/coupons/reconciliation",
            params={
                "merchant_id": merchant["id"],
                "since": (now - timedelta(hours=1)).isoformat(),
                "until": (now + timedelta(hours=1)).isoformat(),
            },
            headers=world.as_merchant(merchant["id"]),
        )

        [line] = response.json()["lines"]
        assert (line["issued"], line["redeemed"], line["amount_off_fen"]) == (3, 2, 4000)
        assert response.json()["amount_off_fen"] == 4000
