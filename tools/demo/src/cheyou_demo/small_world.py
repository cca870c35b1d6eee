"""Without ``--scale``: a few verified members per tier with their policies, and a contracted merchant."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from cheyou_demo.platform import Platform

# Annual premium (fen) that puts a customer in each tier under tier rules v1 (three-star ≥ 6,000 yuan of
# contribution, four-star ≥ 12,000, five-star ≥ 25,000); prospective customers hold no policy.
TIER_PREMIUMS = {"prospective": None, "ordinary": 400_000, "three_star": 800_000, "four_star": 1_400_000}
TIER_PREMIUMS["five_star"] = 2_800_000


async def seed(gateway: str, wechat: str, sms: str, hash_key: bytes, per_tier: int) -> dict[str, Any]:
    """A few verified members per tier with their policies, and a contracted merchant, all through the API."""
    cheyou = Platform(gateway, wechat, sms, hash_key)
    try:
        ops, reviewer, admin = [await cheyou.staff(name) for name in ("ops1", "reviewer1", "admin")]
        members: dict[str, list[str]] = {}
        for tier, premium in TIER_PREMIUMS.items():
            for _ in range(per_tier):
                member = await cheyou.member(ops, reviewer, manager_code="MK7Q2Z9A")
                if premium is not None:
                    await cheyou.feed(admin, cheyou.policy_issued(member, premium))
                members.setdefault(tier, []).append(member.member_id)
        staff_ops = ops
        created = await staff_ops.post(
            "/merchants",
            json={
                "name": f"福州安途代驾{uuid.uuid4().hex[:4]}",
                "category": "designated_driving",
                "city_codes": ["350100"],
            },
        )
        assert created.status_code == 201, created.text
        merchant_id = created.json()["id"]
        today = date.today()
        contract = await staff_ops.post(
            f"/merchants/{merchant_id}/contracts",
            json={
                "privilege_ids": ["after_drinking_driving", "inspection_driving"],
                "city_codes": ["350100"],
                "unit_price_fen": 8_000,
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=365)).isoformat(),
            },
        )
        assert contract.status_code == 201, contract.text
        await staff_ops.post(f"/merchants/{merchant_id}/status", json={"status": "active", "reason": "demo"})
        key = (await staff_ops.post(f"/merchants/{merchant_id}/api-keys", json={"label": "demo"})).json()
        return {"members": members, "merchant_id": merchant_id, "merchant_api_key": key.get("key")}
    finally:
        await cheyou.aclose()
