"""博饼 (the Mid-Autumn dice game of Xiamen and Fuzhou): six dice, the outcomes ranked as data, exact
probabilities by enumerating all 6^6 = 46,656 rolls, and rolls from the operating system's CSPRNG.

The ranking is a list of rules, highest first; a roll takes the first rule it matches (so the order is
the ranking). Local variants differ in the order inside 状元 and in what beats what: ops may publish a
game with their own list, which is validated and frozen with the game (its digest is on every play).

A rule matches when every condition it states holds:
- ``counts``: exactly this many dice show these faces (``{"4": 4, "1": 2}`` is 状元插金花);
- ``of_a_kind`` (with ``except_faces``): some face not in ``except_faces`` shows on exactly this many dice;
- ``straight``: the six dice show 1 to 6 (对堂).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator

FACES = range(1, 7)
DICE = 6
ROLLS = 6**DICE  # 46,656
NO_PRIZE = "none"
"""The outcome code of a roll no rule matches (and of a golden egg that holds nothing)."""

Face = Annotated[str, StringConstraints(pattern=r"^[1-6]$")]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class DiceCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    counts: dict[Face, Annotated[int, Field(ge=0, le=DICE)]] | None = None
    of_a_kind: Annotated[int, Field(ge=2, le=DICE)] | None = None
    except_faces: list[Annotated[int, Field(ge=1, le=6)]] = Field(default_factory=list, max_length=5)
    straight: bool = False

    @model_validator(mode="after")
    def _says_something(self) -> DiceCondition:
        if not self.counts and self.of_a_kind is None and not self.straight:
            raise ValueError("a rule needs counts, of_a_kind or straight")
        if self.counts and sum(self.counts.values()) > DICE:
            raise ValueError("counts: more than six dice")
        if self.except_faces and self.of_a_kind is None:
            raise ValueError("except_faces: only with of_a_kind")
        return self

    def holds(self, tally: Counter[int]) -> bool:
        if self.counts and any(tally[int(face)] != n for face, n in self.counts.items()):
            return False
        if self.of_a_kind is not None and not any(
            tally[face] == self.of_a_kind for face in FACES if face not in self.except_faces
        ):
            return False
        return not self.straight or all(tally[face] == 1 for face in FACES)


class DiceRule(BaseModel):
    """One outcome of the ranking: its code, its name as players say it, the rank group it belongs to
    (状元, 对堂, 三红, 四进, 二举, 一秀) and when a roll is it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    group: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
    when: DiceCondition


Rules = Annotated[list[DiceRule], Field(min_length=1, max_length=32)]
RULES_ADAPTER: TypeAdapter[list[DiceRule]] = TypeAdapter(Rules)

_XIAMEN: list[tuple[str, str, str, dict[str, Any]]] = [
    ("zhuangyuan_chajinhua", "状元插金花", "状元", {"counts": {"4": 4, "1": 2}}),
    ("liubohong", "六勃红", "状元", {"counts": {"4": 6}}),
    ("biandijin", "遍地锦", "状元", {"counts": {"1": 6}}),
    ("liubohei", "六勃黑", "状元", {"of_a_kind": 6, "except_faces": [1, 4]}),
    ("wuhong", "五红", "状元", {"counts": {"4": 5}}),
    ("wuzidengke", "五子登科", "状元", {"of_a_kind": 5, "except_faces": [4]}),
    ("zhuangyuan", "状元", "状元", {"counts": {"4": 4}}),
    ("duitang", "对堂", "对堂", {"straight": True}),
    ("sanhong", "三红", "三红", {"counts": {"4": 3}}),
    ("sijin", "四进", "四进", {"of_a_kind": 4, "except_faces": [4]}),
    ("erju", "二举", "二举", {"counts": {"4": 2}}),
    ("yixiu", "一秀", "一秀", {"counts": {"4": 1}}),
]
DEFAULT_RULES: list[DiceRule] = RULES_ADAPTER.validate_python(
    [{"code": code, "name": name, "group": group, "when": when} for code, name, group, when in _XIAMEN]
)
"""The Xiamen ranking, highest first: inside 状元, 插金花 > 六勃红 > 遍地锦 > 六勃黑 > 五红 > 五子登科 >
四点红; then 对堂 > 三红 > 四进 > 二举 > 一秀; anything else wins nothing."""


def validate_rules(rules: Sequence[DiceRule]) -> None:
    """Codes unique and none of them ``none``; every rule reachable (some roll takes it)."""
    codes = [rule.code for rule in rules]
    if NO_PRIZE in codes:
        raise ValueError(f"rules: '{NO_PRIZE}' is the code of a roll no rule matches")
    if len(set(codes)) != len(codes):
        raise ValueError("rules: each code once")
    counts = ranking(rules).counts
    unreachable = [code for code in codes if counts[code] == 0]
    if unreachable:
        raise ValueError(f"rules: no roll reaches {', '.join(unreachable)} (a rule above takes them all)")


def digest(rules: Sequence[DiceRule]) -> str:
    """A stable digest of the ranking, stored on the game and on every play it decided."""
    canonical = json.dumps(
        [rule.model_dump(mode="json") for rule in rules], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def dice_of(draw: int) -> tuple[int, ...]:
    """The six dice a draw in ``[0, 46656)`` stands for: its base-6 digits, each plus one. Every roll is
    one draw, so a uniform draw is six fair, independent dice."""
    if not 0 <= draw < ROLLS:
        raise ValueError(f"draw {draw} is outside [0, {ROLLS})")
    return tuple(draw // 6**i % 6 + 1 for i in range(DICE))


def classify(rules: Sequence[DiceRule], dice: Iterable[int]) -> str:
    """The code of the highest-ranked rule the dice match, or ``none``."""
    tally = Counter(dice)
    for rule in rules:
        if rule.when.holds(tally):
            return rule.code
    return NO_PRIZE


@dataclass(frozen=True)
class Ranking:
    """A ranking with every one of the 46,656 rolls classified once: a play looks its outcome up."""

    rules: tuple[DiceRule, ...]
    digest: str
    table: tuple[str, ...]
    counts: dict[str, int]
    """How many of the 46,656 ordered rolls each outcome takes (``none`` included); they sum to 46,656."""

    def outcome(self, draw: int) -> str:
        return self.table[draw]

    def probabilities(self) -> dict[str, Fraction]:
        """Each outcome's exact probability, from the enumeration."""
        return {code: Fraction(n, ROLLS) for code, n in self.counts.items()}

    def name(self, code: str) -> str:
        return next((rule.name for rule in self.rules if rule.code == code), "没中")


_RANKINGS: dict[str, Ranking] = {}


def ranking(rules: Sequence[DiceRule]) -> Ranking:
    """The ranking of these rules, enumerated once per process (about 0.3 s) and kept by digest."""
    key = digest(rules)
    found = _RANKINGS.get(key)
    if found is None:
        frozen = tuple(rules)
        table = tuple(classify(frozen, dice_of(draw)) for draw in range(ROLLS))
        counts = dict.fromkeys([rule.code for rule in frozen] + [NO_PRIZE], 0)
        for code in table:
            counts[code] += 1
        if len(_RANKINGS) >= 64:
            _RANKINGS.clear()
        found = _RANKINGS[key] = Ranking(frozen, key, table, counts)
    return found


def roll() -> int:
    """One draw from the operating system's CSPRNG (``secrets``), uniform over the 46,656 rolls."""
    return secrets.randbelow(ROLLS)


def every_roll() -> Iterable[tuple[int, ...]]:
    """All 46,656 ordered rolls (for checks that do not trust :func:`dice_of`)."""
    return itertools.product(FACES, repeat=DICE)


@dataclass(frozen=True, slots=True)
class ChiSquare:
    statistic: float
    degrees_of_freedom: int
    p_value: float


def chi_square(observed: dict[str, int], expected_probability: dict[str, Fraction]) -> ChiSquare:
    """Pearson's goodness-of-fit of observed outcome counts against the exact probabilities.

    Outcomes with probability 0 are left out (a count there is impossible and fails the test outright:
    p = 0)."""
    total = sum(observed.values())
    if total == 0:
        raise ValueError("no observations")
    statistic = 0.0
    categories = 0
    for code, p in expected_probability.items():
        if p == 0:
            if observed.get(code, 0):
                return ChiSquare(math.inf, 0, 0.0)
            continue
        expected = total * float(p)
        statistic += (observed.get(code, 0) - expected) ** 2 / expected
        categories += 1
    if set(observed) - set(expected_probability) and any(
        observed[code] for code in set(observed) - set(expected_probability)
    ):
        return ChiSquare(math.inf, categories - 1, 0.0)
    dof = categories - 1
    return ChiSquare(statistic, dof, _upper_regularized_gamma(dof / 2, statistic / 2))


def _upper_regularized_gamma(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a): the chi-square survival function is Q(k/2, χ²/2). A series below
    a + 1, Lentz's continued fraction above (Numerical Recipes §6.2); accurate to ~1e-12 here."""
    if a <= 0:
        return 0.0
    if x <= 0:
        return 1.0
    log_prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        for _ in range(10_000):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)
