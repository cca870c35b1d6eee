"""The seed's two tables (Fuzhou branch, March–December 2014; DOMAIN.md) and their scaled versions.

The demo world is built to these counts and the ops report prints the same two tables from live data, so a
world loaded at scale ``s`` reports exactly ``Figures.scaled(s)``.

Rounding: every count is ``round-half-up(seed × s)`` on its own; a total is the sum of its scaled parts
(so at ``s = 0.01`` the members are 1 + 3 + 20 + 181 + 32 = 237, not round(238.53) = 239). ``s = 1`` is
the seed itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TIERS = ("five_star", "four_star", "three_star", "ordinary", "prospective")
STAR_TIERS = ("five_star", "four_star", "three_star")

# The privilege orders the seed names, by privilege-svc's catalogue code (the gateway's club report
# counts the same ones; its rows are keyed like SERVICES).
NAMED_PRIVILEGES = ("annual_inspection_agency", "car_wash", "fuel_discount", "after_drinking_driving")
SERVICES = (
    "annual_inspection_agency",
    "car_wash",
    "fuel_discount",
    "fast_claims",
    "after_drinking_driving",
    "points_redemptions",
    "other_services",
)

SEED_MEMBERS = {
    "five_star": 143,
    "four_star": 327,
    "three_star": 2_022,
    "ordinary": 18_124,
    "prospective": 3_237,
}
SEED_MEMBERS_TOTAL = 23_853
SEED_SERVICES_TOTAL = 94_209
SEED_NAMED_SERVICES = {
    "annual_inspection_agency": 586,
    "car_wash": 1_350,
    "fuel_discount": 204,
    "fast_claims": 87_404,
    "after_drinking_driving": 46,
    "points_redemptions": 1_091,
}
# "可统计增值服务达到94209次, 其中 …": the six named kinds add up to 90,681; the other 3,528 uses are of the
# privileges the seed does not break out (rescue, inspection driving, other car affairs).
SEED_SERVICES = {
    **SEED_NAMED_SERVICES,
    "other_services": SEED_SERVICES_TOTAL - sum(SEED_NAMED_SERVICES.values()),
}
SEED_PARTICIPATIONS = 2_649


def scale_count(seed: int, scale: float) -> int:
    """``round-half-up(seed × scale)``, in decimal so that 0.5 always goes up."""
    exact = Decimal(seed) * Decimal(str(scale))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figures:
    """The two tables and the activity participations."""

    members: dict[str, int] = field(default_factory=dict)
    """Verified members per tier (``TIERS``)."""
    services: dict[str, int] = field(default_factory=dict)
    """Uses per kind of value-added service (``SERVICES``)."""
    participations: int = 0

    @classmethod
    def seed(cls) -> Figures:
        return cls(dict(SEED_MEMBERS), dict(SEED_SERVICES), SEED_PARTICIPATIONS)

    @classmethod
    def scaled(cls, scale: float) -> Figures:
        if not 0 < scale <= 1:
            raise ValueError("the scale is a fraction of the 2014 world: 0 < scale <= 1")
        return cls(
            {tier: scale_count(n, scale) for tier, n in SEED_MEMBERS.items()},
            {kind: scale_count(n, scale) for kind, n in SEED_SERVICES.items()},
            scale_count(SEED_PARTICIPATIONS, scale),
        )

    @property
    def members_total(self) -> int:
        return sum(self.members.values())

    @property
    def services_total(self) -> int:
        return sum(self.services.values())

    def minus(self, before: Figures) -> Figures:
        """What was added since ``before`` (a report taken before a load)."""
        return Figures(
            {t: self.members.get(t, 0) - before.members.get(t, 0) for t in TIERS},
            {k: self.services.get(k, 0) - before.services.get(k, 0) for k in SERVICES},
            self.participations - before.participations,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": {"total": self.members_total, **{t: self.members.get(t, 0) for t in TIERS}},
            "services": {"total": self.services_total, **{k: self.services.get(k, 0) for k in SERVICES}},
            "activity_participations": self.participations,
        }
