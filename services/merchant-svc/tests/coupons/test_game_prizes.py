"""Coupons won in club games (博饼, 砸金蛋): privilege-svc's game_prize_won issues one coupon, once, through
the mall's issuing path; a coupon that cannot be issued is refused back to privilege-svc."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from cheyou_events import Envelope
from cheyou_events.catalogue.privilege import GamePrizeWon
from cheyou_kit.testing import publish
from sqlalchemy import text

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)
from .test_coupons import batch
from .test_mall import coupons_of


async def win(world: World, member_id: uuid.UUID, batch_id: str, *, play_id: str | None = None) -> str:
    """privilege-svc's event for a play that won a coupon (a new envelope each call)."""
    play_id = play_id or str(uuid.uuid4())
    event = GamePrizeWon(
        play_id=play_id,
        game_id="game-mid-autumn",
        game_name="中秋博饼",
        game_kind="bobing",
        member_id=str(member_id),
        outcome_code="duitang",
        outcome_name="对堂",
        prize_name="洗车券",
        prize_kind="coupon",
        merchant_id="M-1",
        coupon_batch_id=batch_id,
        won_at=datetime.now(UTC),
    )
    await publish(world.settings.kafka_bootstrap_servers, Envelope.new(event, source="privilege-svc"))
    return play_id


async def handled(world: World, play_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        async with world.sessions() as session:
            row = (
                await session.execute(
                    text("SELECT coupon_id, refused FROM coupon_game_awards WHERE play_id = :id"),
                    {"id": play_id},
                )
            ).one_or_none()
        return {"coupon_id": row.coupon_id, "refused": row.refused} if row else None

    return await world.until(probe)


class TestGamePrizes:
    async def test_a_won_coupon_is_issued_once_however_often_the_event_comes(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant, per_member_limit=5)
        member = uuid.uuid4()

        play_id = await win(world, member, offer["id"])
        await win(world, member, offer["id"], play_id=play_id)
        await handled(world, await win(world, member, offer["id"]))  # same partition: the two before are done

        listed = await coupons_of(world, member)
        assert [c["source"] for c in listed] == ["game", "game"]
        assert (await handled(world, play_id))["coupon_id"] in {uuid.UUID(c["id"]) for c in listed}

    async def test_an_unknown_or_exhausted_batch_is_refused_back_to_privilege_svc(self, world: World) -> None:
        merchant = await world.merchant(new_privilege(), category="car_wash")
        offer = await batch(world, merchant, quantity=1)
        first, second = uuid.uuid4(), uuid.uuid4()
        await handled(world, await win(world, first, offer["id"]))

        exhausted = await win(world, second, offer["id"])
        unknown = await win(world, second, "CB-no-such-batch")

        assert (await handled(world, exhausted))["refused"] == "batch_exhausted"
        assert (await handled(world, unknown))["refused"] == "unknown_batch"
        event = await world.event("cheyou.merchant.coupon_prize_refused.v1", play_id=exhausted)
        assert (event["member_id"], event["game_id"], event["reason"]) == (
            str(second),
            "game-mid-autumn",
            "batch_exhausted",
        )
        assert await coupons_of(world, second) == []
