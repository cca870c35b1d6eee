"""The seeded catalogue, and ops editing a tier's terms as new, audited versions."""

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities

AUDIENCE = "privilege-svc"

DOMAIN_PRIVILEGES = {
    "annual_inspection_agency": "代办年检",
    "violation_agency": "代办违章",
    "licence_agency": "代办驾管",
    "green_label_agency": "代办绿标",
    "express_licence_renewal": "速递换证",
    "inspection_driving": "年检代驾",
    "after_drinking_driving": "酒后代驾",
    "rescue_towing": "不限次拖车",
    "rescue_jump_start": "搭电",
    "rescue_fuel_delivery": "送油",
    "rescue_tyre": "充气换胎",
    "car_wash": "洗车服务",
    "fuel_discount": "加油优惠",
    "airport_vip": "机场贵宾",
    "hotel_booking": "酒店预订",
    "merchant_discount": "商家优惠",
    "points_privilege": "积分特权",
    "owners_secretary": "车主秘书",
}


def terms(privilege: dict[str, object], tier: str) -> dict[str, object]:
    return next(t for t in privilege["terms"] if t["tier"] == tier)  # type: ignore[attr-defined]


class TestListPrivileges:
    async def test_every_privilege_of_the_club_is_in_the_catalogue(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get("/api/v1/privileges", headers=identities.headers(AUDIENCE, Role.MEMBER))

        assert response.status_code == 200
        assert {p["code"]: p["name"] for p in response.json()["items"]} == DOMAIN_PRIVILEGES

    async def test_the_seeded_terms_follow_the_case_study(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get("/api/v1/privileges", headers=identities.headers(AUDIENCE, Role.MEMBER))
        catalogue = {p["code"]: p for p in response.json()["items"]}

        for code in ("car_wash", "fuel_discount", "inspection_driving"):
            assert terms(catalogue[code], "ordinary")["mode"] == "discount"
        for code in ("after_drinking_driving", "airport_vip", "inspection_driving"):
            for tier in ("three_star", "four_star", "five_star"):
                assert terms(catalogue[code], tier)["mode"] == "free"
        assert terms(catalogue["after_drinking_driving"], "three_star")["quota"] == 2
        assert terms(catalogue["after_drinking_driving"], "ordinary")["mode"] == "not_offered"
        assert terms(catalogue["rescue_towing"], "ordinary")["mode"] == "free"
        assert terms(catalogue["rescue_towing"], "ordinary")["quota"] is None

    async def test_without_an_identity_the_catalogue_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/privileges")

        assert response.status_code == 401


class TestCatalogueCache:
    """The catalogue is encoded once and served with an ETag (issue 20)."""

    async def test_the_same_catalogue_is_a_304_for_its_etag(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = identities.headers(AUDIENCE, Role.MEMBER)

        first = await client.get("/api/v1/privileges", headers=member)
        again = await client.get(
            "/api/v1/privileges", headers={**member, "If-None-Match": first.headers["etag"]}
        )
        stale = await client.get("/api/v1/privileges", headers={**member, "If-None-Match": '"not-this-one"'})

        assert first.status_code == 200
        assert first.headers["etag"].startswith('"')
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert stale.status_code == 200
        assert stale.content == first.content

    async def test_an_edit_is_in_the_next_read_with_a_new_etag(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = identities.headers(AUDIENCE, Role.MEMBER)
        before = await client.get("/api/v1/privileges", headers=member)

        edited = await client.put(
            "/api/v1/privileges/airport_vip/terms/four_star",
            json={"mode": "discount", "discount_pct": 45, "reason": "cache test"},
            headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1"),
        )
        after = await client.get(
            "/api/v1/privileges", headers={**member, "If-None-Match": before.headers["etag"]}
        )

        assert edited.status_code == 200
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        airport = next(p for p in after.json()["items"] if p["code"] == "airport_vip")
        assert terms(airport, "four_star")["discount_pct"] == 45


class TestUpdateTerms:
    async def test_an_edit_becomes_the_next_version_with_who_and_why(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")

        response = await client.put(
            "/api/v1/privileges/hotel_booking/terms/five_star",
            json={"mode": "discount", "discount_pct": 30, "reason": "summer campaign"},
            headers=ops,
        )
        history = await client.get("/api/v1/privileges/hotel_booking/terms/five_star/history", headers=ops)

        assert response.status_code == 200
        assert response.json()["version"] == 2
        assert response.json()["changed_by"] == "ops1"
        versions = history.json()
        assert [(v["version"], v["discount_pct"], v["superseded_at"] is None) for v in versions] == [
            (2, 30, True),
            (1, 25, False),
        ]
        assert versions[0]["reason"] == "summer campaign"

    async def test_a_discount_without_a_percentage_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")

        response = await client.put(
            "/api/v1/privileges/car_wash/terms/ordinary",
            json={"mode": "discount", "reason": "x y"},
            headers=ops,
        )
        history = await client.get("/api/v1/privileges/car_wash/terms/ordinary/history", headers=ops)

        assert response.status_code == 422
        assert response.json()["field"] == "discount_pct"
        assert len(history.json()) == 1

    async def test_a_member_cannot_edit_terms(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.put(
            "/api/v1/privileges/car_wash/terms/ordinary",
            json={"mode": "free", "reason": "because"},
            headers=identities.headers(AUDIENCE, Role.MEMBER),
        )

        assert response.status_code == 403

    async def test_an_unknown_privilege_is_not_found(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.put(
            "/api/v1/privileges/teleport/terms/ordinary",
            json={"mode": "free", "reason": "because"},
            headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1"),
        )

        assert response.status_code == 404
