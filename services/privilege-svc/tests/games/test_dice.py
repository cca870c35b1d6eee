"""博饼's dice: the ranking as data, exact probabilities from all 46,656 rolls, and a million server
rolls checked against them with a chi-square test (which a biased die fails)."""

import itertools
import math
import random
from collections import Counter
from fractions import Fraction

import pytest
from privilege_svc.games import dice
from privilege_svc.games.dice import DEFAULT_RULES, NO_PRIZE, RULES_ADAPTER
from pydantic import ValidationError

XIAMEN = dice.ranking(DEFAULT_RULES)


class TestRanking:
    def test_every_roll_is_counted_once_with_the_textbook_numbers(self) -> None:
        assert sum(XIAMEN.counts.values()) == 6**6 == 46_656
        assert XIAMEN.counts == {
            "zhuangyuan_chajinhua": 15,  # 4444 + 11: C(6,2) placements
            "liubohong": 1,
            "biandijin": 1,
            "liubohei": 4,
            "wuhong": 30,
            "wuzidengke": 150,
            "zhuangyuan": 360,  # four 4s: C(6,4)·5·5 = 375, less the 15 插金花
            "duitang": 720,  # 6!
            "sanhong": 2_500,  # C(6,3)·5³
            "sijin": 1_875,
            "erju": 9_300,
            "yixiu": 17_400,
            NO_PRIZE: 14_300,
        }
        assert XIAMEN.probabilities()["duitang"] == Fraction(720, 46_656)

    def test_the_table_agrees_with_classifying_each_roll_directly(self) -> None:
        by_dice = Counter(
            dice.classify(DEFAULT_RULES, roll) for roll in itertools.product(range(1, 7), repeat=6)
        )
        assert dict(by_dice) == {code: n for code, n in XIAMEN.counts.items() if n}
        for draw in (0, 1, 7_775, 23_327, 46_655):
            assert XIAMEN.outcome(draw) == dice.classify(DEFAULT_RULES, dice.dice_of(draw))

    @pytest.mark.parametrize(
        ("roll", "code"),
        [
            ((4, 4, 4, 4, 1, 1), "zhuangyuan_chajinhua"),
            ((4, 4, 4, 4, 4, 4), "liubohong"),
            ((1, 1, 1, 1, 1, 1), "biandijin"),
            ((6, 6, 6, 6, 6, 6), "liubohei"),
            ((4, 4, 4, 4, 4, 2), "wuhong"),
            ((2, 2, 2, 2, 2, 4), "wuzidengke"),
            ((4, 4, 4, 4, 2, 3), "zhuangyuan"),
            ((1, 2, 3, 4, 5, 6), "duitang"),
            ((4, 4, 4, 2, 2, 2), "sanhong"),
            ((3, 3, 3, 3, 4, 4), "sijin"),  # 四进带二举 counts as 四进
            ((4, 4, 1, 2, 3, 5), "erju"),
            ((4, 1, 1, 2, 3, 5), "yixiu"),
            ((1, 1, 2, 2, 3, 5), NO_PRIZE),
        ],
    )
    def test_a_roll_takes_the_highest_rule_it_matches(self, roll: tuple[int, ...], code: str) -> None:
        assert dice.classify(DEFAULT_RULES, roll) == code

    def test_a_local_variant_is_data_and_moves_the_probabilities(self) -> None:
        # some tables rank 五子登科 above 五红: swap them and nothing else changes in the counts
        variant = list(DEFAULT_RULES)
        i, j = [r.code for r in variant].index("wuhong"), [r.code for r in variant].index("wuzidengke")
        variant[i], variant[j] = variant[j], variant[i]
        assert dice.ranking(variant).counts == XIAMEN.counts
        assert dice.digest(variant) != dice.digest(DEFAULT_RULES)
        # a ranking by the number of 4s alone (7 rules) covers every roll: nothing is "none"
        by_fours = RULES_ADAPTER.validate_python(
            [
                {"code": f"fours_{n}", "name": f"{n} 红", "group": "红", "when": {"counts": {"4": n}}}
                for n in range(7)
            ]
        )
        counts = dice.ranking(by_fours).counts
        assert counts[NO_PRIZE] == 0
        assert counts["fours_0"] == 5**6
        assert counts["fours_6"] == 1

    def test_a_rule_no_roll_can_reach_is_refused(self) -> None:
        shadowed = [*DEFAULT_RULES[:1], DEFAULT_RULES[0].model_copy(update={"code": "again"})]
        with pytest.raises(ValueError, match="no roll reaches again"):
            dice.validate_rules(shadowed)
        with pytest.raises(ValidationError):
            RULES_ADAPTER.validate_python([{"code": "x", "name": "x", "group": "x", "when": {}}])
        with pytest.raises(ValidationError):
            RULES_ADAPTER.validate_python(
                [{"code": "x", "name": "x", "group": "x", "when": {"counts": {"4": 4, "1": 3}}}]
            )

    def test_a_draw_outside_the_rolls_is_no_dice(self) -> None:
        assert dice.dice_of(0) == (1, 1, 1, 1, 1, 1)
        assert dice.dice_of(46_655) == (6, 6, 6, 6, 6, 6)
        with pytest.raises(ValueError, match="outside"):
            dice.dice_of(46_656)


class TestChiSquare:
    def test_a_million_server_rolls_fit_the_exact_probabilities(self) -> None:
        observed = Counter(XIAMEN.outcome(dice.roll()) for _ in range(1_000_000))
        test = dice.chi_square(dict(observed), XIAMEN.probabilities())
        assert test.degrees_of_freedom == 12
        # at the 0.1 % level a fair source fails once in a thousand runs
        assert test.p_value > 0.001, (test, observed)

    def test_a_die_that_favours_four_is_caught(self) -> None:
        # 4 comes up 20 % of the time instead of 16.7 %: a player would hardly notice in an evening
        biased = random.Random(2026)
        faces, weights = [1, 2, 3, 4, 5, 6], [0.16, 0.16, 0.16, 0.20, 0.16, 0.16]
        observed = Counter(
            dice.classify(DEFAULT_RULES, biased.choices(faces, weights, k=6)) for _ in range(100_000)
        )
        assert dice.chi_square(dict(observed), XIAMEN.probabilities()).p_value < 1e-9

    def test_the_p_value_matches_the_chi_square_tables(self) -> None:
        assert dice.chi_square({"a": 50, "b": 50}, {"a": Fraction(1, 2), "b": Fraction(1, 2)}).p_value == 1.0
        # critical values: χ²(12) = 32.909 at 0.001, χ²(1) = 3.841 at 0.05
        assert math.isclose(dice._upper_regularized_gamma(6, 32.909 / 2), 0.001, rel_tol=1e-3)
        assert math.isclose(dice._upper_regularized_gamma(0.5, 3.841 / 2), 0.05, rel_tol=1e-3)
        impossible = dice.chi_square({"a": 1, "b": 99}, {"a": Fraction(0), "b": Fraction(1)})
        assert impossible.p_value == 0.0
