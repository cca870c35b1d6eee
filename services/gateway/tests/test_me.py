"""The "Me" page: one call, every part from its service in parallel, each part failing on its own."""

import base64
import uuid

import httpx

from .sign_in import bearer
from .stand_ins import World


class TestMe:
    async def test_a_member_sees_their_whole_page(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]]
    ) -> None:
        member_id, headers = member

        response = await client.get("/api/v1/me", headers=headers)

        assert response.status_code == 200, response.text
        page = response.json()
        assert page["member_id"] == str(member_id)
        assert page["profile"]["data"]["tier"] == "four_star"
        assert page["profile"]["data"]["phone_masked"] == "138****8000"
        assert page["profile"]["data"]["referral_code"] == "R7KQ2M9XA"
        assert base64.b64decode(page["card"]["data"]["qr_png_base64"]).startswith(b"\x89PNG")
        assert page["card"]["data"]["barcode"] == {"format": "code128", "value": member_id.hex.upper()}
        assert page["points"]["data"]["balance"] == 1200
        assert page["points"]["data"]["soonest_expiry"] == {"points": 100, "expires_on": "2026-12-31"}
        assert page["entitlements"]["data"][0]["remaining"] == 3
        assert len(page["recent_orders"]["data"]) == 5
        assert [c["claim_id"] for c in page["open_claims"]["data"]] == ["C-1"]
        assert page["coupons"]["data"][0]["coupon_id"] == "CP-1"
        assert page["unread_messages"] == {"available": True, "data": 3, "error": None}

    async def test_a_failing_service_leaves_only_its_parts_out(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]], world: World
    ) -> None:
        _, headers = member
        world.broken.add("privilege-svc")
        try:
            response = await client.get("/api/v1/me", headers=headers)
        finally:
            world.broken.discard("privilege-svc")

        assert response.status_code == 200
        page = response.json()
        unavailable = {
            name for name, part in page.items() if isinstance(part, dict) and not part["available"]
        }
        assert unavailable == {"points", "entitlements", "recent_orders"}
        assert page["points"]["error"] == "privilege-svc answered 500"
        assert page["profile"]["available"]

    async def test_a_slow_service_leaves_only_its_parts_out(
        self, client: httpx.AsyncClient, member: tuple[uuid.UUID, dict[str, str]], world: World
    ) -> None:
        _, headers = member
        world.slow["notify-svc"] = 3.0
        try:
            response = await client.get("/api/v1/me", headers=headers)
        finally:
            del world.slow["notify-svc"]

        page = response.json()
        assert page["unread_messages"]["available"] is False
        assert page["coupons"]["available"] is True

    async def test_staff_have_no_me_page(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/me", headers=await bearer(client, "manager1"))

        assert response.status_code == 403

    async def test_without_sign_in_there_is_no_page(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/me")

        assert response.status_code == 401
