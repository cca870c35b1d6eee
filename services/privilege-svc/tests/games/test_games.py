"""Club games on real Postgres and Kafka: publishing, plays per day, a budget that concurrent plays
never overspend, golden-egg odds, coupon prizes through merchant-svc, and the audit of every roll."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.merchant import CouponPrizeRefused
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
NewMember = Callable[..., Awaitable[str]]
Sessions = async_sessionmaker[AsyncSession]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]
BY_FOURS = [
    {"code": f"fours_{n}", "name": f"{n} 红", "group": "红", "when": {"counts": {"4": n}}} for n in range(7)
]
"""A ranking (data) by the number of 4s alone: every roll wins something, so a test knows each play pays."""


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")


def as_member(identities: Identities, member_id: str) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)


def window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
    }


async def published(client: httpx.AsyncClient, identities: Identities, **fields: Any) -> dict[str, Any]:
    body = {
        "kind": "bobing",
        "name": "中秋博饼",
        "points_budget": 10_000,
        "plays_per_day": 3,
        **window(),
        **fields,
    }
    created = await client.post("/api/v1/games", json=body, headers=ops(identities))
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    answer = await client.post(f"/api/v1/games/{created.json()['id']}/publish", headers=ops(identities))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def points_prizes(points: int) -> list[dict[str, Any]]:
    return [{"code": f"fours_{n}", "name": f"{n} 红奖", "kind": "points", "points": points} for n in range(7)]


async def balance(client: httpx.AsyncClient, identities: Identities, member_id: str) -> int:
    answer = await client.get(f"/api/v1/points/{member_id}", headers=as_member(identities, member_id))
    return int(answer.json()["balance"])


async def books(sessions: Sessions, game_id: str) -> dict[str, int]:
    """What the database says about a game's money: budget left, plays, points paid and credited."""
    async with sessions() as session:
        row = (
            await session.execute(
                text(
                    """
                    SELECT g.points_budget, g.points_left,
                      (SELECT count(*) FROM game_plays p WHERE p.game_id = g.id) AS plays,
                      (SELECT coalesce(sum(p.points), 0) FROM game_plays p WHERE p.game_id = g.id) AS paid,
                      (SELECT count(*) FROM game_plays p WHERE p.game_id = g.id AND p.prize_status = 'paid')
                        AS paid_plays,
                      (SELECT coalesce(sum(e.points), 0) FROM points_entries e JOIN game_plays p
                        ON e.id = p.credit_entry_id WHERE p.game_id = g.id AND e.reason = 'game') AS credited
                    FROM games g WHERE g.id = :id
                    """
                ),
                {"id": game_id},
            )
        ).one()
    return dict(row._mapping)


class TestPublishing:
    async def test_ops_see_the_exact_odds_and_what_a_play_costs_on_average(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        ranking = await client.get("/api/v1/games/bobing-ranking", headers=ops(identities))
        assert ranking.status_code == 200
        by_code = {o["code"]: o for o in ranking.json()["outcomes"]}
        assert by_code["duitang"]["rolls"] == 720
        assert by_code["zhuangyuan_chajinhua"]["rank"] == 1
        assert ranking.json()["total"] == 46_656

        game = await published(
            client,
            identities,
            prizes=[
                {"code": "zhuangyuan", "name": "状元 888 积分", "kind": "points", "points": 888},
                {"code": "yixiu", "name": "一秀 8 积分", "kind": "points", "points": 8},
            ],
        )
        odds = (await client.get(f"/api/v1/games/{game['id']}/odds", headers=ops(identities))).json()
        assert odds["expected_points_per_play"] == pytest.approx((360 * 888 + 17_400 * 8) / 46_656)
        assert [o["prize"]["points"] for o in odds["outcomes"] if o["prize"]] == [888, 8]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"prizes": [{"code": "tianhu", "name": "x", "kind": "points", "points": 5}]}, "no outcome"),
            (
                {"prizes": [{"code": "yixiu", "name": "x", "kind": "points", "points": 20_000}]},
                "whole budget",
            ),
            ({"prizes": [{"code": "yixiu", "name": "x", "kind": "coupon", "quantity": 3}]}, "batch"),
            (
                {
                    "prizes": [
                        {"code": "yixiu", "name": "x", "kind": "points", "points": 5, "probability_ppm": 10}
                    ]
                },
                "odds",
            ),
            (
                {"kind": "golden_egg", "prizes": [{"code": "a", "name": "x", "kind": "points", "points": 5}]},
                "odds",
            ),
            (
                {
                    "kind": "golden_egg",
                    "prizes": [
                        {"code": "a", "name": "x", "kind": "points", "points": 5, "probability_ppm": 600_000},
                        {"code": "b", "name": "y", "kind": "points", "points": 5, "probability_ppm": 600_000},
                    ],
                },
                "more than one",
            ),
            ({"rules": [BY_FOURS[0], BY_FOURS[0]]}, "each code once"),
            ({"ends_at": "2020-01-01T00:00:00+08:00"}, "ends_at"),
            ({"points_budget": -1}, "points_budget"),
        ],
    )
    async def test_a_bad_game_is_refused_in_words_and_nothing_is_written(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        committed: Sessions,
        change: dict[str, Any],
        field: str,
    ) -> None:
        async with committed() as session:
            before = await session.scalar(text("SELECT count(*) FROM games"))
        body = {
            "kind": "bobing",
            "name": "中秋博饼",
            "points_budget": 10_000,
            **window(),
            "prizes": [{"code": "yixiu", "name": "一秀", "kind": "points", "points": 8}],
            **change,
        }
        answer = await client.post("/api/v1/games", json=body, headers=ops(identities))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in answer.text
        async with committed() as session:
            assert await session.scalar(text("SELECT count(*) FROM games")) == before

    async def test_members_cannot_create_games_nor_see_drafts(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member()
        body = {
            "kind": "bobing",
            "name": "x",
            "points_budget": 1,
            **window(),
            "rules": BY_FOURS,
            "prizes": points_prizes(1)[:1],
        }
        refused = await client.post("/api/v1/games", json=body, headers=as_member(identities, member_id))
        assert refused.status_code == 403
        draft = await client.post("/api/v1/games", json=body, headers=ops(identities))
        seen = await client.get(
            f"/api/v1/games/{draft.json()['id']}", headers=as_member(identities, member_id)
        )
        assert seen.status_code == 404
        play = await client.post(
            f"/api/v1/games/{draft.json()['id']}/plays", headers=as_member(identities, member_id)
        )
        assert play.status_code == 404


class TestPlaying:
    async def test_a_roll_is_dice_an_outcome_and_a_prize_paid_in_points(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, emitted: Emitted
    ) -> None:
        member_id = await new_member()
        game = await published(client, identities, rules=BY_FOURS, prizes=points_prizes(20))
        answer = await client.post(
            f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id)
        )
        assert answer.status_code == 201, answer.text
        play = answer.json()
        assert len(play["dice"]) == 6
        assert all(1 <= d <= 6 for d in play["dice"])
        assert play["outcome_code"] == f"fours_{play['dice'].count(4)}"
        assert (play["prize_status"], play["points"], play["plays_left_today"]) == ("paid", 20, 2)
        assert play["message"] == f"{play['dice'].count(4)} 红！获得 20 积分"
        assert await balance(client, identities, member_id) == 20
        won = await emitted("cheyou.privilege.game_prize_won.v1", member_id)
        assert won[0]["play_id"] == play["id"]
        assert won[0]["points"] == 20
        credited = await emitted("cheyou.privilege.points_credited.v1", member_id)
        assert credited[0]["reason"] == "game"
        assert credited[0]["reference_id"] == play["id"]

    async def test_past_the_daily_limit_a_play_is_refused_in_words_and_counts_nothing(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        member_id = await new_member()
        game = await published(client, identities, rules=BY_FOURS, prizes=points_prizes(1), plays_per_day=2)
        url = f"/api/v1/games/{game['id']}/plays"
        answers = await asyncio.gather(
            *(client.post(url, headers=as_member(identities, member_id)) for _ in range(6))
        )
        assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409, 409]
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["type"].endswith("/game-daily-limit")
        assert refused["detail"] == "今天的 2 次机会已用完，明天再来"
        seen = (
            await client.get(f"/api/v1/games/{game['id']}", headers=as_member(identities, member_id))
        ).json()
        assert (seen["plays_today"], seen["plays_left_today"]) == (2, 0)
        assert (await books(committed, game["id"]))["plays"] == 2

    async def test_the_same_idempotency_key_is_the_same_roll(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member()
        game = await published(client, identities, rules=BY_FOURS, prizes=points_prizes(3))
        key = f"roll-{uuid.uuid4()}"
        first, again = [
            await client.post(
                f"/api/v1/games/{game['id']}/plays",
                headers={**as_member(identities, member_id), "Idempotency-Key": key},
            )
            for _ in range(2)
        ]
        assert first.status_code == again.status_code == 201, (first.text, again.text)
        assert first.json()["id"] == again.json()["id"]
        assert first.json()["dice"] == again.json()["dice"]
        assert await balance(client, identities, member_id) == 3

    async def test_a_game_for_other_tiers_or_not_yet_open_is_not_played(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        member_id = await new_member(Tier.ORDINARY)
        stars = await published(
            client, identities, prizes=points_prizes(1)[:1], rules=BY_FOURS, target_tiers=["five_star"]
        )
        later = await published(
            client,
            identities,
            rules=BY_FOURS,
            prizes=points_prizes(1)[:1],
            starts_at=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
        )
        assert (
            await client.post(f"/api/v1/games/{stars['id']}/plays", headers=as_member(identities, member_id))
        ).status_code == 404
        not_yet = await client.post(
            f"/api/v1/games/{later['id']}/plays", headers=as_member(identities, member_id)
        )
        assert not_yet.status_code == 409
        assert "开始" in not_yet.json()["detail"]
        listed = (await client.get("/api/v1/games", headers=as_member(identities, member_id))).json()["items"]
        assert stars["id"] not in {g["id"] for g in listed}
        assert later["id"] not in {g["id"] for g in listed}


class TestBudget:
    async def test_concurrent_plays_never_overspend_the_budget(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        # every roll wins 10 points; the budget pays 25 of them; 60 members roll 3 times each, all at once
        game = await published(
            client, identities, rules=BY_FOURS, prizes=points_prizes(10), points_budget=250
        )
        members = [await new_member() for _ in range(60)]
        url = f"/api/v1/games/{game['id']}/plays"
        answers = await asyncio.gather(
            *(client.post(url, headers=as_member(identities, m)) for m in members for _ in range(3))
        )
        assert all(a.status_code in (201, 409) for a in answers), {a.status_code for a in answers}
        plays = [a.json() for a in answers if a.status_code == 201]
        paid = [p for p in plays if p["prize_status"] == "paid"]
        assert len(paid) == 25
        assert all(p["prize_status"] in ("paid", "budget_exhausted") for p in plays)
        ledger = await books(committed, game["id"])
        assert (ledger["points_left"], ledger["paid"], ledger["credited"], ledger["paid_plays"]) == (
            0,
            250,
            250,
            25,
        )
        assert sum([await balance(client, identities, m) for m in members]) == 250

        refused = await client.post(url, headers=as_member(identities, members[0]))
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/game-budget-exhausted")
        assert refused.json()["detail"] == "本场奖池已经发完了，感谢参与"
        seen = (
            await client.get(f"/api/v1/games/{game['id']}", headers=as_member(identities, members[1]))
        ).json()
        assert seen["budget_exhausted"] is True

        topped = await client.post(
            f"/api/v1/games/{game['id']}/budget-top-ups", json={"points": 30}, headers=ops(identities)
        )
        assert (topped.json()["points_left"], topped.json()["budget_exhausted"]) == (30, False)

    async def test_a_prize_the_budget_cannot_pay_is_told_and_the_roll_stands(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        prizes = [
            {"code": "a", "name": "大奖", "kind": "points", "points": 100, "probability_ppm": 1_000_000}
        ]
        game = await published(
            client, identities, kind="golden_egg", name="砸金蛋", points_budget=150, prizes=prizes
        )
        member_id = await new_member()
        first = (
            await client.post(f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id))
        ).json()
        assert (first["prize_status"], first["budget_exhausted"]) == ("paid", True)
        # 50 left, a prize of 100: nothing can be won any more, so the next play is refused before counting
        second = await client.post(
            f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id)
        )
        assert second.status_code == 409
        assert second.json()["type"].endswith("/game-budget-exhausted")


class TestGoldenEgg:
    async def test_the_odds_decide_and_a_coupon_prize_goes_to_merchant_svc(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        new_member: NewMember,
        emitted: Emitted,
        service_settings: Settings,
    ) -> None:
        prizes = [
            {
                "code": "wash",
                "name": "洗车券",
                "kind": "coupon",
                "merchant_id": "M-1",
                "coupon_batch_id": "CB-9",
                "quantity": 2,
                "probability_ppm": 1_000_000,
            }
        ]
        game = await published(
            client, identities, kind="golden_egg", name="砸金蛋", points_budget=0, prizes=prizes
        )
        member_id = await new_member()
        play = (
            await client.post(f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id))
        ).json()
        assert (play["prize_status"], play["dice"], play["outcome_name"]) == (
            "coupon_awarded",
            None,
            "洗车券",
        )
        assert play["message"] == "洗车券！获得「洗车券」，券已发到「我的优惠券」"
        won = (await emitted("cheyou.privilege.game_prize_won.v1", member_id))[0]
        assert (won["prize_kind"], won["coupon_batch_id"], won["merchant_id"]) == ("coupon", "CB-9", "M-1")
        remaining = (await client.get(f"/api/v1/games/{game['id']}", headers=ops(identities))).json()[
            "prizes"
        ][0]
        assert remaining["remaining"] == 1

        refusal = CouponPrizeRefused(
            play_id=play["id"],
            game_id=game["id"],
            member_id=member_id,
            batch_id="CB-9",
            reason="batch_exhausted",
            refused_at=datetime.now(UTC),
        )
        envelope = Envelope.new(refusal, source="merchant-svc")
        await publish(service_settings.kafka_bootstrap_servers, envelope, envelope)

        async def refused() -> dict[str, Any] | None:
            mine = (
                await client.get(
                    f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id)
                )
            ).json()["items"][0]
            return mine if mine["prize_status"] == "coupon_refused" else None

        mine = await eventually(refused, within=30)
        assert mine["message"] == "洗车券！但「洗车券」未能发放：这批优惠券已发完"
        again = (await client.get(f"/api/v1/games/{game['id']}", headers=ops(identities))).json()["prizes"][0]
        assert again["remaining"] == 2  # the unit came back once, though the refusal came twice

    async def test_nothing_beyond_the_odds(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        prizes = [{"code": "a", "name": "大奖", "kind": "points", "points": 1, "probability_ppm": 1}]
        game = await published(
            client, identities, kind="golden_egg", name="砸金蛋", prizes=prizes, plays_per_day=5
        )
        member_id = await new_member()
        plays = [
            (
                await client.post(
                    f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id)
                )
            ).json()
            for _ in range(5)
        ]
        # one in a million: five plays hold nothing (a failure here is a one-in-200,000 event)
        assert {(p["outcome_code"], p["message"]) for p in plays} == {("none", "谢谢参与")}


class TestAudit:
    async def test_every_roll_re_derives_and_a_changed_roll_is_caught(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        game = await published(
            client, identities, prizes=[{"code": "yixiu", "name": "一秀", "kind": "points", "points": 8}]
        )
        member_id = await new_member()
        plays = [
            (
                await client.post(
                    f"/api/v1/games/{game['id']}/plays", headers=as_member(identities, member_id)
                )
            ).json()
            for _ in range(3)
        ]
        day = plays[0]["day"]
        url = f"/api/v1/games/{game['id']}/audit?member_id={member_id}&day={day}"
        audit = (await client.get(url, headers=ops(identities))).json()
        assert (audit["plays"], audit["counted"], audit["verified"], audit["problems"]) == (3, 3, True, [])
        detailed = (
            await client.get(
                f"/api/v1/games/{game['id']}/audit/plays?member_id={member_id}", headers=ops(identities)
            )
        ).json()
        by_seq = sorted(detailed["items"], key=lambda p: p["seq"])
        assert [p["prev_digest"] for p in by_seq] == [None, by_seq[0]["digest"], by_seq[1]["digest"]]
        assert all(0 <= p["draw"] < 46_656 for p in by_seq)
        # members do not read the audit
        assert (await client.get(url, headers=as_member(identities, member_id))).status_code == 403

        # someone turns the second roll into 状元 in the database
        async with committed() as session, session.begin():
            await session.execute(
                text("UPDATE game_plays SET dice = '444423', outcome_code = 'zhuangyuan' WHERE id = :id"),
                {"id": plays[1]["id"]},
            )
        audit = (await client.get(url, headers=ops(identities))).json()
        assert audit["verified"] is False
        assert any(plays[1]["id"] in problem for problem in audit["problems"])

    async def test_the_recorded_outcomes_are_tested_against_the_exact_odds(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        game = await published(
            client, identities, rules=BY_FOURS, prizes=points_prizes(1)[:1], plays_per_day=100
        )
        member_id = await new_member()
        url = f"/api/v1/games/{game['id']}/plays"
        for _ in range(100):
            assert (await client.post(url, headers=as_member(identities, member_id))).status_code == 201
        fairness = (await client.get(f"/api/v1/games/{game['id']}/fairness", headers=ops(identities))).json()
        assert fairness["plays"] == 100
        assert sum(o["observed"] for o in fairness["outcomes"]) == 100
        assert fairness["degrees_of_freedom"] == 6
        assert 0.0 <= fairness["p_value"] <= 1.0
