"""Coordinates in China: WGS-84 ↔ GCJ-02, great-circle distance, and whether a point is in China.

GCJ-02 is the datum Chinese map providers and WeChat's ``openLocation`` use: a WGS-84 position shifted by
a few hundred metres by a published, deterministic formula (the "well-known transform", as in the
public-domain ``eviltransform`` / ``prcoords`` projects). Service points are stored in GCJ-02; a phone's
GPS or the browser's geolocation gives WGS-84, converted on the way in. GCJ-02 → WGS-84 has no closed
form: it is inverted by fixed-point iteration to well under a centimetre.

``in_china`` tests a coarse outline of the country (mainland with Hainan and Taiwan, about 130 vertices,
tens of kilometres coarse near land borders): enough to refuse a location abroad, not a border authority.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
"""The mean Earth radius (IUGG), the one the haversine distance uses."""
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180

# Krasovsky 1940, the ellipsoid of the GCJ-02 formula.
_A = 6_378_245.0
_EE = 0.00669342162296594323


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _delta(lat: float, lng: float) -> tuple[float, float]:
    d_lat = _shift_lat(lng - 105.0, lat - 35.0)
    d_lng = _shift_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A GPS (WGS-84) position as Chinese maps draw it (GCJ-02). Only meaningful inside China."""
    d_lat, d_lng = _delta(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """The WGS-84 position whose GCJ-02 image is ``(lat, lng)`` (iterated to < 1e-9°, ~0.1 mm)."""
    w_lat, w_lng = lat, lng
    for _ in range(30):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        e_lat, e_lng = g_lat - lat, g_lng - lng
        w_lat, w_lng = w_lat - e_lat, w_lng - e_lng
        if abs(e_lat) < 1e-10 and abs(e_lng) < 1e-10:
            break
    return w_lat, w_lng


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres on the mean-radius sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box (degrees) that holds every point within a radius of a centre."""

    south: float
    north: float
    west: float
    east: float


def box_around(lat: float, lng: float, radius_m: float) -> Box:
    """The box around a circle; the longitude span widens with the latitude nearest a pole.

    China lies far from the poles and the antimeridian, so neither wraps here (``in_china`` comes first).
    """
    d_lat = radius_m / METRES_PER_DEGREE
    south, north = lat - d_lat, lat + d_lat
    widest = max(abs(south), abs(north))
    d_lng = d_lat / math.cos(math.radians(min(widest, 89.0)))
    return Box(south=south, north=north, west=lng - d_lng, east=lng + d_lng)


# A coarse outline of China, (latitude, longitude) clockwise from the north tip of Heilongjiang: the
# Amur and Ussuri, the Tumen and Yalu, the coast (Bohai, Yellow and East China seas) round Taiwan and
# Hainan, the land borders with Vietnam, Laos, Myanmar, India, Bhutan, Nepal, Pakistan, the Central Asian
# states and Mongolia, and the Argun back to the start. Points at sea are a little offshore.
CHINA_OUTLINE: tuple[tuple[float, float], ...] = (
    (53.65, 123.30),
    (53.20, 125.90),
    (50.20, 127.60),
    (48.90, 130.60),
    (47.70, 131.00),
    (47.70, 132.60),
    (48.45, 134.80),
    (46.80, 134.10),
    (45.80, 133.20),
    (45.10, 133.10),
    (44.40, 131.30),
    (42.90, 131.30),
    (42.40, 130.75),
    (42.95, 130.10),
    (42.45, 128.90),
    (41.95, 128.05),
    (41.45, 128.20),
    (41.00, 126.00),
    (40.05, 124.35),
    (39.70, 124.00),
    (38.50, 123.50),
    (37.40, 123.00),
    (36.00, 121.50),
    (34.50, 120.50),
    (32.50, 121.80),
    (31.50, 122.30),
    (30.70, 123.00),
    (29.00, 122.60),
    (27.50, 121.50),
    (25.40, 122.20),
    (24.50, 122.00),
    (22.50, 121.60),
    (21.80, 121.00),
    (21.80, 120.50),
    (22.50, 117.50),
    (22.00, 115.00),
    (21.60, 113.00),
    (20.50, 111.50),
    (19.50, 111.40),
    (18.00, 110.20),
    (17.90, 109.20),
    (18.40, 108.40),
    (19.50, 108.40),
    (21.50, 108.00),
    (22.10, 106.75),
    (22.85, 106.70),
    (23.10, 106.40),
    (23.40, 105.80),
    (23.10, 104.70),
    (22.50, 103.95),
    (22.80, 103.20),
    (22.40, 102.10),
    (21.15, 101.20),
    (21.60, 101.10),
    (21.70, 100.10),
    (22.30, 99.55),
    (23.15, 99.25),
    (23.90, 98.80),
    (24.00, 97.85),
    (24.70, 97.55),
    (25.40, 98.10),
    (26.30, 98.70),
    (27.70, 98.65),
    (28.20, 97.35),
    (29.00, 95.50),
    (28.30, 93.50),
    (27.85, 91.60),
    (28.20, 90.50),
    (27.90, 89.10),
    (27.50, 88.90),
    (27.95, 88.15),
    (28.10, 86.00),
    (28.30, 85.00),
    (29.00, 83.50),
    (30.20, 81.50),
    (30.40, 81.10),
    (31.00, 79.50),
    (31.80, 78.75),
    (32.50, 78.70),
    (34.00, 78.80),
    (35.50, 77.80),
    (35.90, 76.50),
    (36.85, 75.40),
    (37.10, 74.90),
    (38.00, 74.80),
    (39.40, 73.50),
    (39.90, 73.80),
    (40.50, 75.40),
    (41.00, 77.50),
    (41.90, 80.20),
    (42.90, 80.40),
    (44.20, 80.40),
    (45.00, 82.50),
    (45.60, 82.30),
    (46.40, 82.60),
    (47.20, 83.10),
    (47.00, 85.50),
    (47.70, 86.00),
    (49.17, 87.35),
    (48.40, 89.00),
    (47.90, 90.00),
    (46.60, 91.00),
    (45.30, 93.00),
    (44.90, 95.00),
    (42.80, 96.40),
    (42.60, 100.00),
    (42.50, 101.80),
    (41.60, 105.00),
    (42.40, 108.00),
    (42.50, 110.00),
    (43.70, 111.90),
    (44.50, 113.50),
    (45.30, 114.50),
    (46.20, 117.50),
    (46.60, 119.90),
    (47.30, 119.70),
    (48.00, 117.40),
    (49.85, 116.70),
    (50.30, 119.30),
    (51.50, 120.00),
    (52.60, 120.50),
    (53.30, 121.30),
    (53.50, 122.30),
)


def in_china(lat: float, lng: float) -> bool:
    """Whether the point lies inside ``CHINA_OUTLINE`` (ray casting; either datum will do at this grain)."""
    if not (17.0 <= lat <= 54.0 and 73.0 <= lng <= 135.5):
        return False
    inside = False
    points = CHINA_OUTLINE
    j = len(points) - 1
    for i in range(len(points)):
        lat_i, lng_i = points[i]
        lat_j, lng_j = points[j]
        if (lat_i > lat) != (lat_j > lat):
            crossing = lng_i + (lat - lat_i) * (lng_j - lng_i) / (lat_j - lat_i)
            if lng < crossing:
                inside = not inside
        j = i
    return inside
