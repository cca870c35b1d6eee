"""Flow 4: a points flash sale through the gateway — a burst of concurrent redemptions (every member twice
at once) sells exactly the stock; every point is accounted for and no balance goes below zero."""

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from cheyou_demo import Member, Platform
from cheyou_kit.testing import eventually

MEMBERS, STOCK, PRICE, FUNDS = 12, 4, 100, 150


async def entries(member: Member) -> list[dict[str, Any]]:
    response = await member.http.get(f"/points/{member.member_id}/entries", params={"limit": 200})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def funded(member: Member, ops: httpx.AsyncClient) -> int:
    """The member's balance once the welcome points (from verification) and ops' top-up are both in."""
    topped = await ops.post(
        f"/points/{member.member_id}/adjustments", json={"points": FUNDS, "reason": "秒杀活动测试积分"}
    )
    assert topped.status_code in (200, 201), topped.text

    async def settled() -> int | None:
        found = await entries(member)
        if not any(e["rule_code"] == "welcome" for e in found):
            return None
        balance = (await member.http.get(f"/points/{member.member_id}")).json()["balance"]
        return int(balance)

    return await eventually(settled, within=30)


async def test_a_flash_sale_burst_sells_exactly_the_stock_and_every_point_is_accounted_for(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient]
) -> None:
    ops = staff["ops1"]
    members = [await cheyou.member(ops, staff["reviewer1"]) for _ in range(MEMBERS)]
    await cheyou.feed(staff["admin"], *(cheyou.policy_issued(m, 400_000) for m in members))

    async def ordinary(member: Member) -> bool | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        return True if body.get("tier") == "ordinary" else None

    for member in members:
        await eventually(partial(ordinary, member), within=30)
    before = {m.member_id: await funded(m, ops) for m in members}
    assert min(before.values()) >= PRICE
    sale = await ops.post(
        "/flash-sales",
        json={
            "name": "积分秒杀：精品洗车服务",
            "kind": "service",
            "tier_prices": {"ordinary": PRICE, "three_star": PRICE},
            "stock": STOCK,
            "starts_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
            "per_member_limit": 1,
        },
    )
    assert sale.status_code == 201, sale.text
    sale_id = sale.json()["id"]

    # Every member presses the button twice at the same instant.
    attempts = [m for m in members for _ in range(2)]
    responses = await asyncio.gather(*(m.http.post(f"/flash-sales/{sale_id}/redemptions") for m in attempts))

    codes = [r.status_code for r in responses]
    assert codes.count(201) == STOCK, [r.text for r in responses if r.status_code not in (201, 409)]
    assert set(codes) == {201, 409}  # sold out, or this member's one already taken
    winners = [r.json()["member_id"] for r in responses if r.status_code == 201]
    assert len(set(winners)) == STOCK  # nobody got two
    reward = (await ops.get(f"/rewards/{sale_id}")).json()
    assert (reward["stock"], reward["initial_stock"]) == (0, STOCK)
    redemptions = (await ops.get("/rewards/redemptions", params={"reward_id": sale_id, "limit": 100})).json()
    assert sorted(r["member_id"] for r in redemptions["items"]) == sorted(winners)

    # The ledger: each winner paid once, the others nothing; the debits add up; no balance below zero.
    spent = 0
    for member in members:
        ledger = await entries(member)
        debits = [e for e in ledger if e["direction"] == "debit" and e["reason"] == "redemption"]
        won = member.member_id in winners
        assert len(debits) == (1 if won else 0)
        assert all(e["balance_after"] >= 0 for e in ledger)
        balance = (await member.http.get(f"/points/{member.member_id}")).json()["balance"]
        assert balance == before[member.member_id] - (PRICE if won else 0)
        spent += sum(e["points"] for e in debits)
    assert spent == STOCK * PRICE

    # After the last unit: sold out, and the one who tries again changes nothing.
    late = await members[0].http.post(f"/flash-sales/{sale_id}/redemptions")
    assert late.status_code == 409
    assert (await ops.get(f"/rewards/{sale_id}")).json()["stock"] == 0
