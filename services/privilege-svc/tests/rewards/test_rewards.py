"""The rewards mall and flash sales: tier prices, limits, windows, and bursts of concurrent redemptions
that never oversell, never double-spend and never leave a debit without a redemption (or the reverse)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.merchant import CouponIssueRefused
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.points import service as points
from privilege_svc.rewards import service as rewards
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
MERCHANT = "M-1001"
BATCH = "CB-2026-11"
NewMember = Callable[..., Awaitable[str]]
Sessions = async_sessionmaker[AsyncSession]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")


async def funded_members(
    new_member: NewMember, sessions: Sessions, n: int, points_each: int, tier: Tier = Tier.ORDINARY
) -> list[str]:
    members = [await new_member(tier) for _ in range(n)]
    async with sessions() as session, session.begin():
        for member_id in members:
            await points.credit(session, member_id, points_each, "adjustment", note="test funds")
    return members


async def create(
    client: httpx.AsyncClient, identities: Identities, path: str = "/api/v1/rewards", **fields: Any
) -> dict[str, Any]:
    body = {
        "name": "洗车券",
        "kind": "coupon",
        "merchant_id": MERCHANT,
        "coupon_batch_id": BATCH,
        "tier_prices": {"ordinary": 100, "three_star": 80},
        "stock": 10,
        **fields,
    }
    response = await client.post(path, json=body, headers=ops(identities))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def ledger(sessions: Sessions, reward_id: str) -> dict[str, int]:
    """What the database says: stock, redemptions, and the redemption debits of this reward."""
    async with sessions() as session:
        row = (
            await session.execute(
                text(
                    """
                    SELECT r.stock,
                      (SELECT count(*) FROM redemptions d WHERE d.reward_id = r.id) AS redemptions,
                      (SELECT count(DISTINCT member_id) FROM redemptions d
                        WHERE d.reward_id = r.id) AS members,
                      (SELECT coalesce(sum(e.points), 0) FROM points_entries e
                        JOIN redemptions d ON e.id = d.debit_entry_id WHERE d.reward_id = r.id) AS debited,
                      (SELECT count(*) FROM points_entries e
                        WHERE e.reason = 'redemption' AND e.reference_id IN
                          (SELECT d.id::text FROM redemptions d WHERE d.reward_id = r.id)) AS debits
                    FROM rewards r WHERE r.id = :id
                    """
                ),
                {"id": reward_id},
            )
        ).one()
    return dict(row._mapping)


def member_headers(identities: Identities, member_id: str) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)


async def balance(client: httpx.AsyncClient, identities: Identities, member_id: str) -> int:
    response = await client.get(f"/api/v1/points/{member_id}", headers=member_headers(identities, member_id))
    return int(response.json()["balance"])


class TestFlashSaleBurst:
    async def test_hundreds_of_concurrent_attempts_sell_exactly_the_stock(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        members = await funded_members(new_member, committed, 300, 150)
        sale = await create(
            client,
            identities,
            "/api/v1/flash-sales",
            name="积分秒杀: 洗车券",
            stock=40,
            starts_at=(datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
            per_member_limit=1,
        )
        # every member tries once; the first 50 try three times at once (double-spend attempts)
        attempts = members + members[:50] * 2

        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/flash-sales/{sale['id']}/redemptions", headers=member_headers(identities, m)
                )
                for m in attempts
            )
        )

        codes = [r.status_code for r in responses]
        assert codes.count(201) == 40
        assert set(codes) == {201, 409}
        winners = {r.json()["member_id"] for r in responses if r.status_code == 201}
        assert len(winners) == 40
        assert await ledger(committed, sale["id"]) == {
            "stock": 0,
            "redemptions": 40,
            "members": 40,
            "debited": 40 * 100,
            "debits": 40,
        }
        balances = await asyncio.gather(*(balance(client, identities, m) for m in members))
        assert sorted(balances) == [50] * 40 + [150] * 260

    async def test_one_member_firing_many_redemptions_at_once_spends_each_point_once(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 250)
        reward = await create(client, identities, stock=100)

        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/rewards/{reward['id']}/redemptions",
                    headers=member_headers(identities, member_id),
                )
                for _ in range(20)
            )
        )

        assert sorted(r.status_code for r in responses) == [201] * 2 + [422] * 18
        assert await balance(client, identities, member_id) == 50
        assert (await ledger(committed, reward["id"]))["stock"] == 98

    async def test_a_mall_reward_without_the_gate_never_oversells_either(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        members = await funded_members(new_member, committed, 120, 100)
        reward = await create(client, identities, stock=15)

        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, m)
                )
                for m in members
            )
        )

        assert [r.status_code for r in responses].count(201) == 15
        assert await ledger(committed, reward["id"]) == {
            "stock": 0,
            "redemptions": 15,
            "members": 15,
            "debited": 1500,
            "debits": 15,
        }


class TestRedeem:
    async def test_a_flash_sale_that_has_not_started_refuses(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        sale = await create(
            client,
            identities,
            "/api/v1/flash-sales",
            starts_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        )

        response = await client.post(
            f"/api/v1/flash-sales/{sale['id']}/redemptions", headers=member_headers(identities, member_id)
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/not-on-sale")
        assert (await ledger(committed, sale["id"]))["stock"] == 10

    async def test_a_tier_without_a_price_cannot_redeem(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500, Tier.PROSPECTIVE)
        reward = await create(client, identities)

        response = await client.post(
            f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, member_id)
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/reward-not-for-tier")

    async def test_goods_need_a_delivery_address(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        reward = await create(client, identities, kind="goods", coupon_batch_id=None)

        response = await client.post(
            f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, member_id)
        )

        assert response.status_code == 422
        assert response.json()["field"] == "delivery_address"

    async def test_too_few_points_leave_stock_and_balance_untouched(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 99)
        reward = await create(client, identities)

        response = await client.post(
            f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, member_id)
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/insufficient-points")
        assert await ledger(committed, reward["id"]) == {
            "stock": 10,
            "redemptions": 0,
            "members": 0,
            "debited": 0,
            "debits": 0,
        }
        assert await balance(client, identities, member_id) == 99

    async def test_after_the_last_unit_the_reward_is_sold_out(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        members = await funded_members(new_member, committed, 2, 500)
        reward = await create(client, identities, stock=1)

        first = await client.post(
            f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, members[0])
        )
        second = await client.post(
            f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, members[1])
        )

        assert (first.status_code, second.status_code) == (201, 409)
        assert second.json()["type"].endswith("/sold-out")
        assert await balance(client, identities, members[1]) == 500

    async def test_the_per_member_limit_holds(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 1000)
        reward = await create(client, identities, per_member_limit=2)
        url = f"/api/v1/rewards/{reward['id']}/redemptions"

        codes = [
            (await client.post(url, headers=member_headers(identities, member_id))).status_code
            for _ in range(3)
        ]

        assert codes == [201, 201, 409]

    async def test_a_retry_with_the_same_key_redeems_once(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 1000)
        reward = await create(client, identities)
        key = str(uuid.uuid4())

        # Five retries of one redemption, each (as from the gateway) with an identity token of its own.
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/rewards/{reward['id']}/redemptions",
                    headers={**member_headers(identities, member_id), "Idempotency-Key": key},
                )
                for _ in range(5)
            )
        )

        assert {r.status_code for r in responses} == {201}
        assert len({r.json()["id"] for r in responses}) == 1
        assert await balance(client, identities, member_id) == 900


class TestCoupons:
    async def test_redeeming_a_coupon_tells_merchant_svc_which_batch_to_issue_from(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        new_member: NewMember,
        committed: Sessions,
        emitted: Emitted,
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        coupon = await create(client, identities)

        response = await client.post(
            f"/api/v1/rewards/{coupon['id']}/redemptions", headers=member_headers(identities, member_id)
        )

        assert response.status_code == 201
        assert (coupon["merchant_id"], coupon["coupon_batch_id"]) == (MERCHANT, BATCH)
        [redeemed] = await emitted("cheyou.privilege.reward_redeemed.v1", member_id)
        assert redeemed == {
            "redemption_id": response.json()["id"],
            "reward_id": coupon["id"],
            "member_id": member_id,
            "reward_name": "洗车券",
            "kind": "coupon",
            "points": 100,
            "flash_sale": False,
            "merchant_id": MERCHANT,
            "coupon_batch_id": BATCH,
            "redeemed_at": redeemed["redeemed_at"],
        }

    async def test_goods_name_no_coupon_batch_in_the_event(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        new_member: NewMember,
        committed: Sessions,
        emitted: Emitted,
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        goods = await create(client, identities, kind="goods", merchant_id=None, coupon_batch_id=None)

        await client.post(
            f"/api/v1/rewards/{goods['id']}/redemptions",
            json={"delivery_address": "福州市鼓楼区五四路 1 号"},
            headers=member_headers(identities, member_id),
        )

        [redeemed] = await emitted("cheyou.privilege.reward_redeemed.v1", member_id)
        assert (redeemed["kind"], redeemed["coupon_batch_id"]) == ("goods", None)

    @pytest.mark.parametrize(
        ("fields", "wrong"),
        [
            ({"coupon_batch_id": None}, "coupon_batch_id"),
            ({"merchant_id": None}, "coupon_batch_id"),
            ({"kind": "goods"}, "coupon_batch_id"),
        ],
    )
    async def test_a_coupon_without_its_batch_or_a_batch_on_goods_is_refused(
        self, client: httpx.AsyncClient, identities: Identities, fields: dict[str, Any], wrong: str
    ) -> None:
        body = {
            "name": "洗车券",
            "kind": "coupon",
            "merchant_id": MERCHANT,
            "coupon_batch_id": BATCH,
            "tier_prices": {"ordinary": 1},
            "stock": 1,
            **fields,
        }

        response = await client.post("/api/v1/rewards", json=body, headers=ops(identities))

        assert response.status_code == 422
        assert wrong in response.json()["detail"]


def refused(redemption: dict[str, Any], reason: str = "batch_exhausted") -> Envelope[CouponIssueRefused]:
    """merchant-svc's answer when it cannot issue the coupon a redemption paid for."""
    return Envelope.new(
        CouponIssueRefused(
            redemption_id=redemption["id"],
            member_id=redemption["member_id"],
            batch_id=BATCH,
            reason=reason,
            refused_at=datetime.now(UTC),
        ),
        source="merchant-svc",
    )


async def lots(sessions: Sessions, member_id: str) -> list[tuple[int, int]]:
    """(points, remaining) of the member's lots, the earliest expiry first."""
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT points, remaining FROM points_lots WHERE member_id = :m ORDER BY expires_at"),
            {"m": member_id},
        )
        return [(p, r) for p, r in rows]


async def redemptions_of(
    client: httpx.AsyncClient, identities: Identities, member_id: str
) -> dict[str, dict[str, Any]]:
    """The member's redemptions as they see them, by id."""
    response = await client.get("/api/v1/rewards/redemptions", headers=member_headers(identities, member_id))
    return {r["id"]: r for r in response.json()["items"]}


class TestCouponIssueRefused:
    async def test_the_member_gets_back_exactly_the_lots_the_redemption_used_once(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        new_member: NewMember,
        committed: Sessions,
        service_settings: Settings,
        emitted: Emitted,
    ) -> None:
        member_id = await new_member(Tier.ORDINARY)
        async with committed() as session, session.begin():
            await points.credit(session, member_id, 60, "adjustment", validity_days=30, note="soon")
            await points.credit(session, member_id, 200, "adjustment", validity_days=700, note="later")
        coupon = await create(client, identities)
        url = f"/api/v1/rewards/{coupon['id']}/redemptions"
        first = (await client.post(url, headers=member_headers(identities, member_id))).json()
        second = (await client.post(url, headers=member_headers(identities, member_id))).json()
        assert await lots(committed, member_id) == [(60, 0), (200, 60)]  # 60 + 40, then 100
        duplicate = refused(first)

        # the same delivery twice, the same refusal announced again, then the second redemption's:
        # one partition (keyed by member), so once the last is applied the others have been too
        await publish(
            service_settings.kafka_bootstrap_servers,
            duplicate,
            duplicate,
            refused(first),
            refused(second, "member_limit"),
        )

        async def both_refunded() -> dict[str, dict[str, Any]] | None:
            seen = await redemptions_of(client, identities, member_id)
            return seen if all(r["status"] == "refunded" for r in seen.values()) else None

        seen = await eventually(both_refunded, within=30)
        assert (seen[first["id"]]["refund_reason"], seen[second["id"]]["refund_reason"]) == (
            "batch_exhausted",
            "member_limit",
        )
        assert seen[first["id"]]["refund_note"] == "这批优惠券已发完，积分已退回"
        assert await lots(committed, member_id) == [(60, 60), (200, 200)]
        assert await balance(client, identities, member_id) == 260
        assert (await ledger(committed, coupon["id"]))["stock"] == 10
        credited = await emitted("cheyou.privilege.points_credited.v1", member_id, count=4)
        refunds = [c for c in credited if c["reason"] == "reversal"]
        assert sorted((c["reference_id"], c["points"]) for c in refunds) == sorted(
            [(first["id"], 100), (second["id"], 100)]
        )

    async def test_a_refunded_redemption_no_longer_counts_toward_the_per_member_limit(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        coupon = await create(client, identities, per_member_limit=1)
        url = f"/api/v1/rewards/{coupon['id']}/redemptions"
        redemption = (await client.post(url, headers=member_headers(identities, member_id))).json()
        async with committed() as session, session.begin():
            await rewards.refund_refused_coupon(session, refused(redemption, "batch_closed").data)

        again = await client.post(url, headers=member_headers(identities, member_id))

        assert again.status_code == 201
        assert await balance(client, identities, member_id) == 400

    async def test_a_redemption_ops_already_cancelled_is_not_refunded_again(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        coupon = await create(client, identities)
        redemption = (
            await client.post(
                f"/api/v1/rewards/{coupon['id']}/redemptions", headers=member_headers(identities, member_id)
            )
        ).json()
        await client.patch(
            f"/api/v1/rewards/redemptions/{redemption['id']}",
            json={"status": "cancelled"},
            headers=ops(identities),
        )

        async with committed() as session, session.begin():
            refunded = await rewards.refund_refused_coupon(session, refused(redemption).data)

        assert refunded is None
        assert await balance(client, identities, member_id) == 500
        assert (await ledger(committed, coupon["id"]))["stock"] == 10
        status = (await redemptions_of(client, identities, member_id))[redemption["id"]]["status"]
        assert status == "cancelled"

    async def test_a_flash_sale_unit_given_back_is_sold_again_despite_the_gate(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        first, second = await funded_members(new_member, committed, 2, 500)
        sale = await create(
            client,
            identities,
            "/api/v1/flash-sales",
            stock=1,
            starts_at=(datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
        )
        url = f"/api/v1/flash-sales/{sale['id']}/redemptions"
        redemption = (await client.post(url, headers=member_headers(identities, first))).json()
        sold_out = await client.post(url, headers=member_headers(identities, second))
        async with committed() as session, session.begin():
            await rewards.refund_refused_coupon(session, refused(redemption).data)

        resold = await client.post(url, headers=member_headers(identities, second))

        assert (sold_out.status_code, resold.status_code) == (409, 201)
        assert await ledger(committed, sale["id"]) == {
            "stock": 0,
            "redemptions": 2,
            "members": 2,
            "debited": 200,
            "debits": 2,
        }


class TestUpdateRedemption:
    async def test_goods_are_shipped_then_delivered(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        reward = await create(client, identities, kind="goods", coupon_batch_id=None)
        redemption = (
            await client.post(
                f"/api/v1/rewards/{reward['id']}/redemptions",
                json={"delivery_address": "福州市鼓楼区五四路 1 号"},
                headers=member_headers(identities, member_id),
            )
        ).json()
        url = f"/api/v1/rewards/redemptions/{redemption['id']}"

        shipped = await client.patch(
            url, json={"status": "shipped", "tracking_no": "EMS123"}, headers=ops(identities)
        )
        delivered = await client.patch(url, json={"status": "delivered"}, headers=ops(identities))
        cancelled = await client.patch(url, json={"status": "cancelled"}, headers=ops(identities))

        assert (shipped.json()["status"], shipped.json()["tracking_no"]) == ("shipped", "EMS123")
        assert delivered.json()["status"] == "delivered"
        assert cancelled.status_code == 409

    async def test_cancelling_gives_back_the_points_and_the_unit(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        [member_id] = await funded_members(new_member, committed, 1, 500)
        reward = await create(client, identities)
        redemption = (
            await client.post(
                f"/api/v1/rewards/{reward['id']}/redemptions", headers=member_headers(identities, member_id)
            )
        ).json()

        response = await client.patch(
            f"/api/v1/rewards/redemptions/{redemption['id']}",
            json={"status": "cancelled"},
            headers=ops(identities),
        )

        assert response.json()["status"] == "cancelled"
        assert await balance(client, identities, member_id) == 500
        assert (await ledger(committed, reward["id"]))["stock"] == 10


class TestListRewards:
    async def test_a_member_sees_only_what_their_tier_can_redeem(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member(Tier.FIVE_STAR)
        star_only = await create(client, identities, tier_prices={"five_star": 10})
        ordinary_only = await create(client, identities, tier_prices={"ordinary": 10})

        response = await client.get(
            "/api/v1/rewards?limit=200", headers=member_headers(identities, member_id)
        )
        hidden = await client.get(
            f"/api/v1/rewards/{ordinary_only['id']}", headers=member_headers(identities, member_id)
        )

        ids = {r["id"] for r in response.json()["items"]}
        assert star_only["id"] in ids
        assert ordinary_only["id"] not in ids
        assert hidden.status_code == 404

    async def test_a_member_cannot_create_rewards(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.post(
            "/api/v1/rewards",
            json={"name": "x", "kind": "service", "tier_prices": {"ordinary": 1}, "stock": 1},
            headers=identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.uuid4()),
        )

        assert response.status_code == 403


@pytest.mark.parametrize("field", ["stock", "tier_prices"])
async def test_bad_reward_input_names_the_field(
    client: httpx.AsyncClient, identities: Identities, field: str
) -> None:
    body: dict[str, Any] = {"name": "x", "kind": "service", "tier_prices": {"ordinary": 1}, "stock": 1}
    body[field] = -1 if field == "stock" else {"ordinary": 0}

    response = await client.post("/api/v1/rewards", json=body, headers=ops(identities))

    assert response.status_code == 422
    assert field in response.json()["detail"]
