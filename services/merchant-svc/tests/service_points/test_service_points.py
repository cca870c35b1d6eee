"""Service points: managed by ops and merchant admins, found near a member, preferred by dispatch."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from merchant_svc.service_points.coordinates import haversine_m, wgs84_to_gcj02
from sqlalchemy import text

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

NEARBY = "/api/v1/service-points/nearby"
ALL_WEEK = [{"day": d, "opens": "00:00", "closes": "24:00"} for d in range(1, 8)]
# The centre of Fuzhou (GCJ-02) and points east of it along the same latitude.
FUZHOU = (26.0745, 119.2965)


def closed_today() -> list[dict[str, Any]]:
    """Hours on the day after tomorrow only (Shanghai), so the point is closed whenever the test runs."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).isoweekday()
    return [{"day": (today + 1) % 7 + 1, "opens": "09:00", "closes": "18:00"}]


def east_of(metres: float) -> tuple[float, float]:
    return FUZHOU[0], FUZHOU[1] + metres / 100_000  # ~100 km per degree of longitude at 26°N


def points_of(merchant: dict[str, Any]) -> str:
    return f"/api/v1/merchants/{merchant['id']}/service-points"


async def add_point(
    world: World,
    merchant: dict[str, Any],
    services: list[str],
    at: tuple[float, float],
    *,
    hours: list[dict[str, Any]] | None = None,
    headers: Any = None,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "name": f"网点-{uuid.uuid4().hex[:6]}",
        "address": "福州市鼓楼区五四路 1 号",
        "city_code": "350100",
        "lat": at[0],
        "lng": at[1],
        "services": services,
        "hours": ALL_WEEK if hours is None else hours,
        **fields,
    }
    response = await world.client.post(points_of(merchant), json=body, headers=headers or world.ops)
    assert response.status_code == 201, response.text
    point: dict[str, Any] = response.json()
    return point


async def count_points(world: World) -> int:
    async with world.sessions() as session:
        return int((await session.execute(text("SELECT count(*) FROM service_points"))).scalar_one())


class TestManage:
    async def test_ops_open_a_point_given_in_wgs84_and_it_is_kept_in_gcj02(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        wgs = (26.0745, 119.2965)

        point = await add_point(world, merchant, ["car_wash"], wgs, coordsys="wgs84")

        assert (point["lat"], point["lng"]) == pytest.approx(wgs84_to_gcj02(*wgs), abs=1e-9)
        assert point["category"] == "car_wash"  # the merchant's, by default
        assert point["status"] == "active"

    async def test_a_merchant_admin_opens_one_and_a_dispatcher_may_not(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        admin = await world.user(merchant["id"], "merchant_admin")
        dispatcher = await world.user(merchant["id"], "dispatcher")

        await add_point(world, merchant, ["car_wash"], FUZHOU, headers=world.as_user(admin))
        before = await count_points(world)
        refused = await world.client.post(
            points_of(merchant),
            json={
                "name": "调度员的网点",
                "address": "福州市",
                "city_code": "350100",
                "lat": FUZHOU[0],
                "lng": FUZHOU[1],
                "services": ["car_wash"],
                "hours": ALL_WEEK,
            },
            headers=world.as_user(dispatcher),
        )

        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/merchant-role-not-permitted")
        assert await count_points(world) == before

    async def test_another_merchant_neither_sees_nor_changes_a_point(self, world: World) -> None:
        owner = await world.merchant(new_privilege())
        other = await world.merchant(new_privilege())
        point = await add_point(world, owner, ["car_wash"], FUZHOU)

        read = await world.client.get(
            f"{points_of(owner)}/{point['id']}", headers=world.as_merchant(other["id"])
        )
        patched = await world.client.patch(
            f"{points_of(owner)}/{point['id']}",
            json={"name": "抢来的"},
            headers=world.as_merchant(other["id"]),
        )
        via_own = await world.client.patch(
            f"{points_of(other)}/{point['id']}",
            json={"name": "抢来的"},
            headers=world.as_merchant(other["id"]),
        )

        assert (read.status_code, patched.status_code, via_own.status_code) == (404, 404, 404)

    @pytest.mark.parametrize(
        ("lat", "lng", "field"),
        [
            (35.6762, 139.6503, "lat"),  # Tokyo: outside China
            (47.8864, 106.9057, "lat"),  # Ulaanbaatar: inside the transform's rough box, outside China
            (91.0, 119.3, "body.lat"),
            (26.0, 181.0, "body.lng"),
            ("NaN", 119.3, "body.lat"),
            ("福州", 119.3, "body.lat"),
        ],
    )
    async def test_a_location_abroad_or_malformed_is_a_422_that_writes_nothing(
        self, world: World, lat: Any, lng: Any, field: str
    ) -> None:
        merchant = await world.merchant(new_privilege())
        before = await count_points(world)

        body = {
            "name": "海外网点",
            "address": "somewhere",
            "city_code": "350100",
            "services": ["car_wash"],
            "hours": ALL_WEEK,
            "lat": float(lat) if lat == "NaN" else lat,
            "lng": lng,
        }
        response = await world.client.post(
            points_of(merchant),
            content=json.dumps(body),  # NaN goes out as the bare token a careless client sends
            headers={**world.ops, "content-type": "application/json"},
        )

        assert response.status_code == 422, response.text
        problem = response.json()
        fields = [problem.get("field")] + [e["field"] for e in problem.get("errors", [])]
        assert field in fields
        assert await count_points(world) == before

    async def test_hours_that_open_and_close_at_the_same_minute_are_refused(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.post(
            points_of(merchant),
            json={
                "name": "怪网点",
                "address": "福州市",
                "city_code": "350100",
                "lat": FUZHOU[0],
                "lng": FUZHOU[1],
                "services": ["car_wash"],
                "hours": [{"day": 1, "opens": "09:00", "closes": "09:00"}],
            },
            headers=world.ops,
        )

        assert response.status_code == 422, response.text

    async def test_a_closed_point_is_no_longer_found(self, world: World) -> None:
        service = new_privilege()
        merchant = await world.merchant(service)
        point = await add_point(world, merchant, [service], FUZHOU)

        closed = await world.client.patch(
            f"{points_of(merchant)}/{point['id']}",
            json={"status": "closed", "status_reason": "装修"},
            headers=world.ops,
        )
        found = await world.client.get(
            NEARBY, params={"lat": FUZHOU[0], "lng": FUZHOU[1], "service": service}, headers=world.ops
        )
        public = await world.client.get(f"/api/v1/service-points/{point['id']}", headers=world.ops)

        assert closed.status_code == 200, closed.text
        assert found.json()["items"] == []
        assert public.status_code == 404


class TestNearby:
    async def test_a_member_finds_points_nearest_first_within_the_radius(self, world: World) -> None:
        service = new_privilege()
        merchant = await world.merchant(service, category="car_wash")
        far = await add_point(world, merchant, [service], east_of(3_000))
        near = await add_point(world, merchant, [service], east_of(500))
        await add_point(world, merchant, [service], east_of(9_000))  # outside a 5 km search

        response = await world.client.get(
            NEARBY,
            params={"lat": FUZHOU[0], "lng": FUZHOU[1], "service": service, "radius_m": 5_000},
            headers=world.as_member(uuid.uuid4()),
        )

        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [i["id"] for i in items] == [near["id"], far["id"]]
        assert items[0]["distance_m"] == pytest.approx(haversine_m(*FUZHOU, *east_of(500)), abs=1)
        assert items[0]["merchant_name"] == merchant["name"]
        assert items[0]["open_now"] is True

    async def test_a_gps_location_is_converted_before_measuring(self, world: World) -> None:
        service = new_privilege()
        merchant = await world.merchant(service)
        wgs = (26.0745, 119.2965)
        await add_point(world, merchant, [service], wgs, coordsys="wgs84")  # the same place

        response = await world.client.get(
            NEARBY,
            params={"lat": wgs[0], "lng": wgs[1], "coordsys": "wgs84", "service": service},
            headers=world.ops,
        )

        assert response.json()["items"][0]["distance_m"] == 0

    async def test_open_now_leaves_out_a_point_closed_today(self, world: World) -> None:
        service = new_privilege()
        merchant = await world.merchant(service)
        open_point = await add_point(world, merchant, [service], east_of(800))
        closed = await add_point(world, merchant, [service], east_of(200), hours=closed_today())
        where: dict[str, str | float] = {"lat": FUZHOU[0], "lng": FUZHOU[1], "service": service}

        every = await world.client.get(NEARBY, params=where, headers=world.ops)
        open_only = await world.client.get(NEARBY, params={**where, "open_now": "true"}, headers=world.ops)

        assert [(i["id"], i["open_now"]) for i in every.json()["items"]] == [
            (closed["id"], False),
            (open_point["id"], True),
        ]
        assert [i["id"] for i in open_only.json()["items"]] == [open_point["id"]]

    async def test_category_filters_and_a_suspended_merchants_points_are_hidden(self, world: World) -> None:
        service = new_privilege()
        wash = await world.merchant(service, category="car_wash")
        rescue = await world.merchant(service, category="rescue")
        suspended = await world.merchant(service, category="car_wash")
        washing = await add_point(world, wash, [service], east_of(100))
        await add_point(world, rescue, [service], east_of(200))
        await add_point(world, suspended, [service], east_of(300))
        await world.set_status(suspended["id"], "suspended")

        response = await world.client.get(
            NEARBY,
            params={"lat": FUZHOU[0], "lng": FUZHOU[1], "service": service, "category": "car_wash"},
            headers=world.ops,
        )

        assert [i["id"] for i in response.json()["items"]] == [washing["id"]]

    async def test_pages_follow_on_by_distance(self, world: World) -> None:
        service = new_privilege()
        merchant = await world.merchant(service)
        made = [await add_point(world, merchant, [service], east_of(100 * (i + 1))) for i in range(5)]
        where: dict[str, str | float] = {"lat": FUZHOU[0], "lng": FUZHOU[1], "service": service, "limit": 2}

        seen: list[str] = []
        cursor = None
        for _ in range(5):
            response = await world.client.get(
                NEARBY, params={**where, **({"cursor": cursor} if cursor else {})}, headers=world.ops
            )
            body = response.json()
            seen += [i["id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break

        assert seen == [p["id"] for p in made]

    async def test_only_current_offers_are_shown(self, world: World) -> None:
        service = new_privilege()
        merchant = await world.merchant(service)
        await add_point(
            world,
            merchant,
            [service],
            FUZHOU,
            offers=[
                {"title": "会员洗车 8 折", "valid_until": "2099-12-31"},
                {"title": "开业酬宾", "valid_until": "2020-01-31"},
            ],
        )

        response = await world.client.get(
            NEARBY, params={"lat": FUZHOU[0], "lng": FUZHOU[1], "service": service}, headers=world.ops
        )

        assert [o["title"] for o in response.json()["items"][0]["offers"]] == ["会员洗车 8 折"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"lat": 35.6762, "lng": 139.6503}, "lat"),  # Tokyo
            ({"lat": 37.5665, "lng": 126.9780}, "lat"),  # Seoul
            ({"lat": 95, "lng": 119.3}, "query.lat"),
            ({"lat": "nan", "lng": 119.3}, "query.lat"),
            ({"lat": "26.07", "lng": "东经119"}, "query.lng"),
            ({"lat": 26.07}, "query.lng"),
            ({"lat": 26.07, "lng": 119.3, "radius_m": 500_000}, "query.radius_m"),
        ],
    )
    async def test_a_location_abroad_or_malformed_is_a_422(
        self, world: World, params: dict[str, Any], field: str
    ) -> None:
        response = await world.client.get(NEARBY, params=params, headers=world.as_member(uuid.uuid4()))

        assert response.status_code == 422, response.text
        problem = response.json()
        assert field in [problem.get("field")] + [e["field"] for e in problem.get("errors", [])]

    async def test_a_merchant_may_not_search_members_nearby(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())

        response = await world.client.get(
            NEARBY, params={"lat": FUZHOU[0], "lng": FUZHOU[1]}, headers=world.as_merchant(merchant["id"])
        )

        assert response.status_code == 403


class TestDispatchPrefersTheChosenPoint:
    async def test_the_chosen_points_merchant_gets_the_order_over_a_better_scored_one(
        self, world: World
    ) -> None:
        service = new_privilege()
        await world.merchant(service, score=99)
        chosen_merchant = await world.merchant(service, score=50)
        chosen = await add_point(world, chosen_merchant, [service], east_of(300))

        found = await world.dispatched(service, service_point_id=chosen["id"])

        assert (found["merchant_id"], found["service_point_id"]) == (chosen_merchant["id"], chosen["id"])
        assert found["details"]["service_point_id"] == chosen["id"]

    async def test_when_its_merchant_cannot_take_it_the_nearest_capable_point_does(
        self, world: World
    ) -> None:
        service = new_privilege()
        await world.merchant(service, score=99)  # best scored, but has no point offering the service
        near_merchant = await world.merchant(service, score=40)
        far_merchant = await world.merchant(service, score=90)
        uncontracted = await world.merchant(new_privilege())  # the member chose its point
        chosen = await add_point(world, uncontracted, [service], east_of(0))
        nearer = await add_point(world, near_merchant, [service], east_of(1_000))
        await add_point(world, far_merchant, [service], east_of(4_000))
        await add_point(world, far_merchant, ["other_service"], east_of(10))  # near, but not capable

        found = await world.dispatched(service, service_point_id=chosen["id"])

        assert (found["merchant_id"], found["service_point_id"]) == (near_merchant["id"], nearer["id"])

    async def test_an_unknown_point_leaves_the_usual_ranking(self, world: World) -> None:
        service = new_privilege()
        best = await world.merchant(service, score=95)
        await world.merchant(service, score=60)

        found = await world.dispatched(service, service_point_id=str(uuid.uuid4()))

        assert (found["merchant_id"], found["service_point_id"]) == (best["id"], None)

    async def test_after_a_rejection_the_next_nearest_capable_point_gets_it(self, world: World) -> None:
        service = new_privilege()
        first = await world.merchant(service)
        second = await world.merchant(service)
        chosen = await add_point(world, first, [service], east_of(0))
        fallback = await add_point(world, second, [service], east_of(2_000))
        found = await world.dispatched(service, service_point_id=chosen["id"])
        assert found["merchant_id"] == first["id"]

        rejected = await world.client.post(
            f"/api/v1/merchant-api/orders/{found['order_id']}/reject",
            json={"reason": "洗车位已满"},
            headers=world.as_merchant(first["id"]),
        )
        assert rejected.status_code == 200, rejected.text

        again = await world.fulfilment(found["order_id"], status="dispatched")
        assert (again["merchant_id"], again["service_point_id"]) == (second["id"], fallback["id"])
