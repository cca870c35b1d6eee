"""The GCJ-02 transform, distances and the China outline (pure functions, no infrastructure)."""

from __future__ import annotations

import math

import pytest
from merchant_svc.service_points.coordinates import (
    box_around,
    gcj02_to_wgs84,
    haversine_m,
    in_china,
    wgs84_to_gcj02,
)

# The test vector of the public-domain eviltransform project (Shanghai, WGS-84 → GCJ-02), exact.
CANONICAL = ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215))
# What eviltransform 0.1.1 answers: it uses the WGS-84 semi-major axis (6,378,137 m) where the formula
# has Krasovsky's (6,378,245 m), which moves the result by up to a centimetre.
INDEPENDENT = [
    ((31.1774276, 121.5272106), (31.175303947687105, 121.53154193255554)),
    ((26.0745, 119.2965), (26.071397925829068, 119.30129986363242)),
]


class TestTransform:
    def test_wgs84_to_gcj02_gives_the_published_test_vector(self) -> None:
        wgs, gcj = CANONICAL
        lat, lng = wgs84_to_gcj02(*wgs)

        assert lat == pytest.approx(gcj[0], abs=1e-12)
        assert lng == pytest.approx(gcj[1], abs=1e-12)

    @pytest.mark.parametrize(("wgs", "gcj"), INDEPENDENT)
    def test_it_agrees_with_an_independent_implementation_within_two_centimetres(
        self, wgs: tuple[float, float], gcj: tuple[float, float]
    ) -> None:
        assert haversine_m(*wgs84_to_gcj02(*wgs), *gcj) < 0.02

    def test_the_shift_is_a_few_hundred_metres_as_chinese_maps_show(self) -> None:
        wgs = (26.0745, 119.2965)
        shift = haversine_m(*wgs, *wgs84_to_gcj02(*wgs))

        assert 300 < shift < 700

    @pytest.mark.parametrize("wgs", [(26.0745, 119.2965), (39.9087, 116.3975), (43.8256, 87.6168)])
    def test_gcj02_to_wgs84_inverts_it_to_well_under_a_millimetre(self, wgs: tuple[float, float]) -> None:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(*wgs))

        assert haversine_m(*wgs, *back) < 0.001


class TestDistance:
    def test_one_degree_of_latitude_is_about_111_km(self) -> None:
        assert haversine_m(26.0, 119.3, 27.0, 119.3) == pytest.approx(111_195, abs=1)

    def test_fuzhou_to_xiamen_is_about_200_km(self) -> None:
        assert haversine_m(26.0745, 119.2965, 24.4798, 118.0894) == pytest.approx(210_000, rel=0.03)

    def test_the_box_holds_the_whole_circle(self) -> None:
        lat, lng, radius = 26.07, 119.30, 5_000.0
        box = box_around(lat, lng, radius)
        for bearing in range(0, 360, 5):
            # a point on the circle, a little inside it
            d = (radius * 0.999) / 6_371_008.8
            b = math.radians(bearing)
            p1 = math.radians(lat)
            p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
            l2 = math.radians(lng) + math.atan2(
                math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
            )
            assert box.south <= math.degrees(p2) <= box.north
            assert box.west <= math.degrees(l2) <= box.east


INSIDE = {
    "福州": (26.0745, 119.2965),
    "厦门": (24.4798, 118.0894),
    "北京": (39.9042, 116.4074),
    "上海": (31.2304, 121.4737),
    "哈尔滨": (45.8038, 126.5349),
    "漠河": (52.9720, 122.5380),
    "乌鲁木齐": (43.8256, 87.6168),
    "喀什": (39.4704, 75.9898),
    "拉萨": (29.6520, 91.1721),
    "昆明": (25.0389, 102.7183),
    "三亚": (18.2528, 109.5119),
    "香港": (22.3193, 114.1694),
    "澳门": (22.1987, 113.5439),
    "台北": (25.0330, 121.5654),
    "平潭": (25.5000, 119.7900),
    "呼和浩特": (40.8426, 111.7490),
}
OUTSIDE = {
    "Tokyo": (35.6762, 139.6503),
    "Seoul": (37.5665, 126.9780),
    "Pyongyang": (39.0392, 125.7625),
    "Ulaanbaatar": (47.8864, 106.9057),
    "Vladivostok": (43.1198, 131.8869),
    "Khabarovsk": (48.4802, 135.0719),
    "Almaty": (43.2220, 76.8512),
    "Islamabad": (33.6844, 73.0479),
    "New Delhi": (28.6139, 77.2090),
    "Kathmandu": (27.7172, 85.3240),
    "Dhaka": (23.8103, 90.4125),
    "Hanoi": (21.0278, 105.8342),
    "Ha Long": (20.9599, 107.0425),
    "Manila": (14.5995, 120.9842),
    "Naha": (26.2124, 127.6809),
    "New York": (40.7128, -74.0060),
    "Null Island": (0.0, 0.0),
}


class TestInChina:
    @pytest.mark.parametrize("city", INSIDE)
    def test_a_chinese_city_is_in_china(self, city: str) -> None:
        assert in_china(*INSIDE[city])

    @pytest.mark.parametrize("city", OUTSIDE)
    def test_a_city_abroad_is_not(self, city: str) -> None:
        assert not in_china(*OUTSIDE[city])
