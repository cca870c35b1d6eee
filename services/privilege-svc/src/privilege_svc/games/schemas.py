from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from cheyou_events.catalogue.fields import Tier
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    model_validator,
)

from privilege_svc.games import dice
from privilege_svc.games.dice import NO_PRIZE, DiceRule

GameKind = Literal["bobing", "golden_egg"]
GameStatus = Literal["draft", "published", "closed"]
PrizeKind = Literal["points", "coupon"]
PrizeStatus = Literal["none", "paid", "coupon_awarded", "coupon_refused", "budget_exhausted"]
MILLION = 1_000_000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class GamePrizeIn(BaseModel):
    """What an outcome pays. 博饼: ``code`` is the outcome (``zhuangyuan``, ``duitang``...); golden egg:
    the prize's own code, with its odds in parts per million."""

    model_config = ConfigDict(extra="forbid")

    code: dice.Code
    name: Text
    kind: PrizeKind
    points: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    merchant_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    coupon_batch_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    """Coupons: how many the game may give (its coupon budget). Points prizes: an optional cap."""
    probability_ppm: Annotated[int, Field(ge=1, le=MILLION)] | None = None

    @model_validator(mode="after")
    def _kind(self) -> GamePrizeIn:
        if self.kind == "points":
            if self.points is None:
                raise ValueError(f"prizes.{self.code}.points: a points prize says how many")
            if self.coupon_batch_id is not None:
                raise ValueError(f"prizes.{self.code}.coupon_batch_id: only coupons name a batch")
        else:
            if self.points is not None:
                raise ValueError(f"prizes.{self.code}.points: a coupon prize pays no points")
            if self.merchant_id is None or self.coupon_batch_id is None:
                raise ValueError(f"prizes.{self.code}.coupon_batch_id: a coupon names its merchant and batch")
            if self.quantity is None:
                raise ValueError(f"prizes.{self.code}.quantity: a coupon prize says how many the game gives")
        return self


class GameCreate(BaseModel):
    """A game with its budget; it starts as a draft and is played once published."""

    model_config = ConfigDict(extra="forbid")

    kind: GameKind
    name: Text
    description: Annotated[str, Field(max_length=2000)] = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    plays_per_day: Annotated[int, Field(ge=1, le=100)] = 3
    target_tiers: list[Tier] = Field(default_factory=list, max_length=5)
    points_budget: Annotated[int, Field(ge=0, le=100_000_000)]
    """The points the game may pay out in all; a play never takes it below zero."""
    rules: Annotated[list[DiceRule], Field(min_length=1, max_length=32)] | None = None
    """博饼 only: the ranking, highest first (default: the Xiamen ranking, ``GET /games/bobing-ranking``)."""
    prizes: Annotated[list[GamePrizeIn], Field(min_length=1, max_length=32)]

    @model_validator(mode="after")
    def _consistent(self) -> GameCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: must be after starts_at")
        codes = [prize.code for prize in self.prizes]
        if len(set(codes)) != len(codes):
            raise ValueError("prizes: one prize per code")
        if NO_PRIZE in codes:
            raise ValueError(f"prizes: '{NO_PRIZE}' wins nothing")
        for prize in self.prizes:
            if prize.points is not None and prize.points > self.points_budget:
                raise ValueError(f"prizes.{prize.code}.points: more than the whole budget")
        if self.kind == "bobing":
            rules = self.rules or dice.DEFAULT_RULES
            dice.validate_rules(rules)
            known = {rule.code for rule in rules}
            if unknown := [code for code in codes if code not in known]:
                raise ValueError(f"prizes: {', '.join(unknown)} is no outcome of the ranking")
            if any(prize.probability_ppm is not None for prize in self.prizes):
                raise ValueError("prizes.probability_ppm: 博饼's odds come from the dice")
        else:
            if self.rules is not None:
                raise ValueError("rules: only 博饼 has a ranking")
            if any(prize.probability_ppm is None for prize in self.prizes):
                raise ValueError("prizes.probability_ppm: every golden egg prize has its odds")
            if sum(prize.probability_ppm or 0 for prize in self.prizes) > MILLION:
                raise ValueError("prizes.probability_ppm: the odds add up to more than one")
        return self


class GameBudgetTopUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: Annotated[int, Field(ge=1, le=100_000_000)]


class GamePrizeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: PrizeKind
    points: int
    merchant_id: str | None
    coupon_batch_id: str | None
    quantity: int | None
    remaining: int | None
    probability_ppm: int | None


class GameRead(BaseModel):
    id: uuid.UUID
    kind: GameKind
    name: str
    description: str
    status: GameStatus
    starts_at: datetime
    ends_at: datetime
    plays_per_day: int
    target_tiers: list[str]
    points_budget: int
    points_left: int
    budget_exhausted: bool
    """Nothing left to win: every prize's units or points are spent (plays are refused)."""
    rules_digest: str | None
    prizes: list[GamePrizeRead]
    created_at: datetime
    published_at: datetime | None
    plays_today: int | None = None
    """For a member: their plays of the game today (Beijing time)."""
    plays_left_today: int | None = None


class GameOutcomeRead(BaseModel):
    code: str
    name: str
    group: str
    rank: int
    """1 is the best; ``none`` comes last."""
    rolls: int
    """How many of the 46,656 ordered rolls (or, for an egg, of a million draws) give it."""
    probability: float
    prize: GamePrizeRead | None = None


class GameOddsRead(BaseModel):
    """Each outcome's exact probability, by enumerating the 46,656 rolls (博饼) or from the odds (egg),
    and what one play costs the budget on average."""

    rules_digest: str | None
    total: int
    outcomes: list[GameOutcomeRead]
    expected_points_per_play: float
    rules: list[DiceRule] | None = None


class GamePlayRead(BaseModel):
    id: uuid.UUID
    game_id: uuid.UUID
    member_id: str
    day: date
    seq: int
    dice: list[int] | None
    outcome_code: str
    outcome_name: str
    prize_name: str | None
    prize_kind: PrizeKind | None
    points: int
    prize_status: PrizeStatus
    refusal_reason: str | None
    played_at: datetime
    plays_left_today: int | None = None
    budget_exhausted: bool | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message(self) -> str:
        """The play in words, as the member reads it."""
        won = self.outcome_name if self.outcome_code != NO_PRIZE else None
        prize = self.prize_name or ""
        if self.prize_status == "paid":
            return f"{won or prize}！获得 {self.points} 积分"
        if self.prize_status == "coupon_awarded":
            return f"{won or prize}！获得「{prize}」，券已发到「我的优惠券」"
        if self.prize_status == "coupon_refused":
            why = REFUSALS.get(self.refusal_reason or "", "商户无法发券")
            return f"{won or prize}！但「{prize}」未能发放：{why}"
        if self.prize_status == "budget_exhausted":
            return f"{won or prize}！可惜奖池里的「{prize}」已经发完了"
        if won is not None:
            return f"{won}（本场没有为它设奖）"
        return "没中，下次好运" if self.dice is not None else "谢谢参与"


REFUSALS = {
    "unknown_batch": "商户没有这批优惠券",
    "batch_closed": "这批优惠券已停止发放",
    "batch_exhausted": "这批优惠券已发完",
    "member_limit": "您领取这批优惠券已达上限",
}


class GamePlayAuditRead(GamePlayRead):
    """A play with what makes it auditable: the CSPRNG draw, the ranking's digest and the chain."""

    draw: int
    rules_digest: str | None
    prev_digest: str | None
    digest: str


class GameAuditRead(BaseModel):
    """A member's plays of one day, re-derived: each outcome recomputed from its draw under the game's
    ranking, and the chain of digests followed from the first play to the last."""

    game_id: uuid.UUID
    member_id: str
    day: date
    plays: int
    counted: int
    """The plays the daily counter holds (equal to ``plays`` unless a play row went missing)."""
    verified: bool
    problems: list[str]


class GameFairnessOutcome(BaseModel):
    code: str
    name: str
    observed: int
    expected: float


class GameFairnessRead(BaseModel):
    """The game's recorded plays against the exact probabilities (Pearson's chi-square)."""

    game_id: uuid.UUID
    plays: int
    outcomes: list[GameFairnessOutcome]
    chi_square: float | None
    degrees_of_freedom: int | None
    p_value: float | None
