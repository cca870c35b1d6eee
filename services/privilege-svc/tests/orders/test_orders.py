"""Booking privileges: tier terms, quotas under concurrency, idempotency keys, merchant-driven status,
cancellation, ratings and complaints."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.merchant import (
    MerchantOrderAccepted,
    MerchantOrderCompleted,
    MerchantOrderInService,
    MerchantOrderRejected,
    MerchantOrderUnplaceable,
)
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.orders import service
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
NewMember = Callable[..., Awaitable[str]]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]
MERCHANT = str(uuid.uuid4())


def soon(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


DRIVE_HOME = {
    "privilege_code": "after_drinking_driving",
    "pickup_address": "福州市鼓楼区五四路 128 号",
    "destination_address": "福州市仓山区金山大道 8 号",
    "vehicle_plate": "闽A12345",
}


class Member:
    def __init__(self, client: httpx.AsyncClient, identities: Identities, member_id: str) -> None:
        self.id = member_id
        self.client = client
        self.headers = identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)

    async def book(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post("/api/v1/orders", json=body, headers=headers)

    async def orders(self) -> list[dict[str, Any]]:
        response = await self.client.get("/api/v1/orders", headers=self.headers)
        return list(response.json()["items"])

    async def remaining(self, code: str) -> int | None:
        response = await self.client.get(f"/api/v1/entitlements/{self.id}", headers=self.headers)
        remaining: int | None = next(
            e["remaining"] for e in response.json()["items"] if e["privilege_code"] == code
        )
        return remaining

    async def order(self, order_id: str) -> dict[str, Any]:
        return dict((await self.client.get(f"/api/v1/orders/{order_id}", headers=self.headers)).json())


@pytest.fixture
def member_at(
    client: httpx.AsyncClient, identities: Identities, new_member: NewMember
) -> Callable[..., Awaitable[Member]]:
    async def make(tier: Tier) -> Member:
        return Member(client, identities, await new_member(tier))

    return make


MemberAt = Callable[..., Awaitable[Member]]


async def merchant_event(sessions: async_sessionmaker[AsyncSession], apply: Any, event: Any) -> None:
    """Apply a merchant event the way the consumer does (one committed transaction)."""
    async with sessions() as session, session.begin():
        await apply(session, event)


class TestBook:
    async def test_a_star_member_books_free_after_drinking_driving_and_the_merchant_gets_the_details(
        self, member_at: MemberAt, emitted: Emitted
    ) -> None:
        member = await member_at(Tier.THREE_STAR)

        response = await member.book(DRIVE_HOME)

        assert response.status_code == 201
        order = response.json()
        assert (order["status"], order["price_fen"]) == ("requested", 0)
        [requested] = await emitted("cheyou.privilege.order_requested.v1", member.id)
        assert requested["order_id"] == order["id"]
        assert requested["privilege_id"] == "after_drinking_driving"
        assert requested["merchant_category"] == "designated_driving"
        assert requested["pickup_address"] == DRIVE_HOME["pickup_address"]
        assert requested["vehicle_plate"] == "闽A12345"
        assert await member.remaining("after_drinking_driving") == 1

    async def test_an_ordinary_member_pays_the_discounted_price_for_inspection_driving(
        self, member_at: MemberAt
    ) -> None:
        member = await member_at(Tier.ORDINARY)

        response = await member.book(
            {
                "privilege_code": "inspection_driving",
                "appointment_at": soon(48),
                "pickup_address": "福州市台江区",
                "vehicle_plate": "闽A88888",
            }
        )

        assert response.status_code == 201
        assert response.json()["price_fen"] == 7500

    async def test_a_privilege_the_tier_does_not_offer_is_refused_and_nothing_is_written(
        self, member_at: MemberAt
    ) -> None:
        member = await member_at(Tier.ORDINARY)

        response = await member.book(
            {"privilege_code": "airport_vip", "appointment_at": soon(), "flight_no": "MF8101"}
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/privilege-not-offered")
        assert response.json()["field"] == "privilege_code"
        assert await member.orders() == []

    async def test_over_the_quota_is_refused(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.THREE_STAR)

        statuses = [(await member.book(DRIVE_HOME)).status_code for _ in range(3)]

        assert statuses == [201, 201, 422]
        assert len(await member.orders()) == 2

    async def test_concurrent_bookings_never_exceed_the_quota(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FOUR_STAR)  # four a year

        responses = await asyncio.gather(*(member.book(DRIVE_HOME) for _ in range(10)))

        assert sorted(r.status_code for r in responses) == [201] * 4 + [422] * 6
        assert await member.remaining("after_drinking_driving") == 0

    async def test_an_appointment_in_the_past_is_refused(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FIVE_STAR)

        response = await member.book(
            {"privilege_code": "airport_vip", "appointment_at": soon(-1), "flight_no": "MF8101"}
        )

        assert response.status_code == 422
        assert response.json()["field"] == "appointment_at"

    async def test_a_missing_flight_number_is_named(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FIVE_STAR)

        response = await member.book({"privilege_code": "airport_vip", "appointment_at": soon()})

        assert response.status_code == 422
        assert response.json()["field"] == "flight_no"

    async def test_a_malformed_plate_is_named(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FIVE_STAR)

        response = await member.book({**DRIVE_HOME, "vehicle_plate": "AB"})

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.vehicle_plate"

    @pytest.mark.usefixtures("notifications")
    async def test_an_in_house_privilege_is_fulfilled_as_soon_as_it_is_paid(
        self, member_at: MemberAt, emitted: Emitted, wechatpay_fake: httpx.AsyncClient
    ) -> None:
        member = await member_at(Tier.FIVE_STAR)

        response = await member.book({"privilege_code": "fuel_discount", "vehicle_plate": "闽A12345"})
        started = await member.client.post(
            "/api/v1/payments",
            json={"order_id": response.json()["id"], "channel": "h5"},
            headers=member.headers,
        )
        await wechatpay_fake.post(f"/_fake/transactions/{uuid.UUID(started.json()['payment_id']).hex}/pay")

        assert (response.json()["status"], response.json()["price_fen"]) == ("awaiting_payment", 27000)

        async def completed() -> dict[str, Any] | None:
            order = await member.order(response.json()["id"])
            return order if order["status"] == "completed" else None

        await eventually(completed, within=30)
        [closed] = await emitted("cheyou.privilege.order_closed.v1", member.id)
        assert (closed["merchant_id"], closed["points_awarded"]) == ("in_house", 10)


class TestIdempotencyKey:
    async def test_the_same_key_and_body_return_the_first_order(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FIVE_STAR)
        key = str(uuid.uuid4())

        responses = await asyncio.gather(*(member.book(DRIVE_HOME, key=key) for _ in range(5)))

        assert {r.status_code for r in responses} == {201}
        assert len({r.json()["id"] for r in responses}) == 1
        assert len(await member.orders()) == 1
        assert await member.remaining("after_drinking_driving") == 5

    async def test_the_same_key_with_another_body_is_refused(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FIVE_STAR)
        key = str(uuid.uuid4())
        await member.book(DRIVE_HOME, key=key)

        response = await member.book({**DRIVE_HOME, "pickup_address": "福州市马尾区"}, key=key)

        assert response.status_code == 422
        assert response.json()["type"].endswith("/idempotency-key-reused")
        assert len(await member.orders()) == 1


@pytest.fixture
async def priced_in_points(client: httpx.AsyncClient, identities: Identities) -> None:
    """Four-star express licence renewal costs 50 points (ops' edit; a new version each time)."""
    response = await client.put(
        "/api/v1/privileges/express_licence_renewal/terms/four_star",
        json={"mode": "free", "quota": 1, "points_price": 50, "reason": "pay with points pilot"},
        headers=identities.headers(AUDIENCE, Role.OPS, staff_id="ops1"),
    )
    assert response.status_code == 200


@pytest.mark.usefixtures("priced_in_points")
class TestPointsHeld:
    async def test_points_are_held_at_booking_and_given_back_on_cancel(
        self, client: httpx.AsyncClient, identities: Identities, member_at: MemberAt
    ) -> None:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        member = await member_at(Tier.FOUR_STAR)
        await client.post(
            f"/api/v1/points/{member.id}/adjustments", json={"points": 80, "reason": "x y"}, headers=ops
        )

        booked = await member.book(
            {"privilege_code": "express_licence_renewal", "pickup_address": "福州市鼓楼区"}
        )
        held = (await client.get(f"/api/v1/points/{member.id}", headers=member.headers)).json()["balance"]
        cancelled = await client.post(f"/api/v1/orders/{booked.json()['id']}/cancel", headers=member.headers)
        after = (await client.get(f"/api/v1/points/{member.id}", headers=member.headers)).json()["balance"]

        assert booked.json()["points_held"] == 50
        assert (held, after) == (30, 80)
        assert cancelled.json()["status"] == "cancelled"

    async def test_when_no_merchant_accepts_in_time_the_points_and_quota_come_back(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        member_at: MemberAt,
        service_settings: Settings,
        emitted: Emitted,
    ) -> None:
        ops = identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")
        member = await member_at(Tier.FOUR_STAR)
        await client.post(
            f"/api/v1/points/{member.id}/adjustments", json={"points": 80, "reason": "x y"}, headers=ops
        )
        booked = await member.book(
            {"privilege_code": "express_licence_renewal", "pickup_address": "福州市鼓楼区"}
        )
        order_id = booked.json()["id"]
        missed = MerchantOrderUnplaceable(
            order_id=order_id,
            member_id=member.id,
            reason="accept_deadline_missed",
            failed_at=datetime.now(UTC),
        )

        await publish(service_settings.kafka_bootstrap_servers, Envelope.new(missed, source="merchant-svc"))

        async def ended() -> dict[str, Any] | None:
            order = await member.order(order_id)
            return order if order["status"] == "unplaceable" else None

        order = await eventually(ended)
        assert order["cancel_reason"] == "没有商户在规定时间内接单，额度和积分已退回"
        balance = (await client.get(f"/api/v1/points/{member.id}", headers=member.headers)).json()["balance"]
        assert (booked.json()["points_held"], balance) == (50, 80)
        assert await member.remaining("express_licence_renewal") == 1
        [cancelled] = await emitted("cheyou.privilege.order_cancelled.v1", member.id)
        assert (cancelled["cancelled_by"], cancelled["reason"]) == ("system", order["cancel_reason"])

    async def test_too_few_points_refuses_the_booking(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.FOUR_STAR)

        response = await member.book(
            {"privilege_code": "express_licence_renewal", "pickup_address": "福州市鼓楼区"}
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/insufficient-points")
        assert await member.orders() == []
        assert await member.remaining("express_licence_renewal") == 1


class TestMerchantStatus:
    async def test_the_merchants_events_take_the_order_to_completed(
        self, member_at: MemberAt, service_settings: Settings, emitted: Emitted
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]
        now = datetime.now(UTC)
        ids = {"order_id": order_id, "member_id": member.id, "merchant_id": MERCHANT}

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(MerchantOrderAccepted(**ids, accepted_at=now), source="merchant-svc"),
            Envelope.new(MerchantOrderInService(**ids, started_at=now), source="merchant-svc"),
            Envelope.new(
                MerchantOrderCompleted(**ids, service_record_id="SR-1", completed_at=now),
                source="merchant-svc",
            ),
        )

        async def completed() -> dict[str, Any] | None:
            order = await member.order(order_id)
            return order if order["status"] == "completed" else None

        order = await eventually(completed)
        assert order["merchant_id"] == MERCHANT
        [closed] = await emitted("cheyou.privilege.order_closed.v1", member.id)
        assert (closed["order_id"], closed["points_awarded"]) == (order_id, 10)
        assert await member.remaining("after_drinking_driving") == 1

    async def test_a_late_acceptance_does_not_reopen_a_completed_order(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]
        ids = {"order_id": order_id, "member_id": member.id, "merchant_id": MERCHANT}
        now = datetime.now(UTC)

        await merchant_event(
            committed,
            service.merchant_completed,
            MerchantOrderCompleted(**ids, service_record_id="SR-2", completed_at=now),
        )
        await merchant_event(
            committed, service.merchant_accepted, MerchantOrderAccepted(**ids, accepted_at=now)
        )

        assert (await member.order(order_id))["status"] == "completed"

    async def test_a_rejection_sends_the_order_back_to_be_placed(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]
        ids = {"order_id": order_id, "member_id": member.id, "merchant_id": MERCHANT}
        now = datetime.now(UTC)
        await merchant_event(
            committed, service.merchant_accepted, MerchantOrderAccepted(**ids, accepted_at=now)
        )

        await merchant_event(
            committed,
            service.merchant_rejected,
            MerchantOrderRejected(**ids, reason="no driver", rejected_at=now),
        )

        order = await member.order(order_id)
        assert (order["status"], order["merchant_id"]) == ("requested", None)
        assert "no driver" in order["last_rejection"]

    @pytest.mark.parametrize(
        "reason",
        [
            "no_contracted_merchant",
            "merchant_unreachable",
            "all_rejected",
            "at_capacity",
            "accept_deadline_missed",
        ],
    )
    async def test_no_merchant_available_ends_the_order_gives_the_quota_back_and_says_why(
        self,
        member_at: MemberAt,
        committed: async_sessionmaker[AsyncSession],
        emitted: Emitted,
        reason: Any,
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]

        await merchant_event(
            committed,
            service.merchant_unplaceable,
            MerchantOrderUnplaceable(
                order_id=order_id, member_id=member.id, reason=reason, failed_at=datetime.now(UTC)
            ),
        )

        order = await member.order(order_id)
        assert order["status"] == "unplaceable"
        assert reason not in order["cancel_reason"]  # words for the member, not merchant-svc's code
        assert order["cancel_reason"].endswith("额度和积分已退回")
        assert await member.remaining("after_drinking_driving") == 2
        [cancelled] = await emitted("cheyou.privilege.order_cancelled.v1", member.id)
        assert (cancelled["cancelled_by"], cancelled["reason"]) == ("system", order["cancel_reason"])


class TestCancel:
    async def test_cancelling_before_service_gives_the_quota_back(
        self, member_at: MemberAt, emitted: Emitted
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]

        response = await member.client.post(
            f"/api/v1/orders/{order_id}/cancel", json={"reason": "took a taxi"}, headers=member.headers
        )

        assert response.json()["status"] == "cancelled"
        assert await member.remaining("after_drinking_driving") == 2
        [cancelled] = await emitted("cheyou.privilege.order_cancelled.v1", member.id)
        assert (cancelled["cancelled_by"], cancelled["reason"]) == ("member", "took a taxi")

    async def test_an_order_in_service_cannot_be_cancelled(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]
        await merchant_event(
            committed,
            service.merchant_in_service,
            MerchantOrderInService(
                order_id=order_id, member_id=member.id, merchant_id=MERCHANT, started_at=datetime.now(UTC)
            ),
        )

        response = await member.client.post(f"/api/v1/orders/{order_id}/cancel", headers=member.headers)

        assert response.status_code == 409
        assert await member.remaining("after_drinking_driving") == 1

    async def test_someone_elses_order_is_not_found(
        self, member_at: MemberAt, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]
        stranger = identities.headers(AUDIENCE, Role.MEMBER, member_id=uuid.uuid4())

        cancel = await client.post(f"/api/v1/orders/{order_id}/cancel", headers=stranger)
        read = await client.get(f"/api/v1/orders/{order_id}", headers=stranger)

        assert (cancel.status_code, read.status_code) == (404, 404)
        assert (await member.order(order_id))["status"] == "requested"


async def completed_order(member: Member, sessions: async_sessionmaker[AsyncSession]) -> str:
    order_id: str = (await member.book(DRIVE_HOME)).json()["id"]
    await merchant_event(
        sessions,
        service.merchant_completed,
        MerchantOrderCompleted(
            order_id=order_id,
            member_id=member.id,
            merchant_id=MERCHANT,
            service_record_id="SR-9",
            completed_at=datetime.now(UTC),
        ),
    )
    return order_id


class TestRate:
    async def test_a_completed_order_is_rated_once_and_merchant_svc_hears_of_it(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession], emitted: Emitted
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = await completed_order(member, committed)

        first = await member.client.post(
            f"/api/v1/orders/{order_id}/rating", json={"stars": 5, "comment": "准时"}, headers=member.headers
        )
        second = await member.client.post(
            f"/api/v1/orders/{order_id}/rating", json={"stars": 1}, headers=member.headers
        )

        assert (first.status_code, second.status_code) == (200, 409)
        [rated] = await emitted("cheyou.privilege.order_rated.v1", member.id)
        assert (rated["merchant_id"], rated["stars"], rated["comment"]) == (MERCHANT, 5, "准时")

    async def test_completing_and_rating_an_order_earn_points_once_each(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = await completed_order(member, committed)

        for stars in (5, 4):
            await member.client.post(
                f"/api/v1/orders/{order_id}/rating", json={"stars": stars}, headers=member.headers
            )
        entries = await member.client.get(f"/api/v1/points/{member.id}/entries", headers=member.headers)

        assert [(e["reason"], e["points"], e["reference_id"]) for e in entries.json()["items"]] == [
            ("order_rating", 5, order_id),
            ("order_reward", 10, order_id),
        ]

    async def test_stars_out_of_range_are_refused(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession]
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = await completed_order(member, committed)

        response = await member.client.post(
            f"/api/v1/orders/{order_id}/rating", json={"stars": 6}, headers=member.headers
        )

        assert response.status_code == 422
        assert (await member.order(order_id))["rating_stars"] is None

    async def test_an_open_order_cannot_be_rated(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]

        response = await member.client.post(
            f"/api/v1/orders/{order_id}/rating", json={"stars": 4}, headers=member.headers
        )

        assert response.status_code == 409


class TestComplain:
    async def test_a_complaint_is_handed_to_merchant_svc(
        self, member_at: MemberAt, committed: async_sessionmaker[AsyncSession], emitted: Emitted
    ) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = await completed_order(member, committed)

        response = await member.client.post(
            f"/api/v1/orders/{order_id}/complaints",
            json={"category": "attitude", "description": "司机态度差"},
            headers=member.headers,
        )

        assert response.status_code == 201
        [complaint] = await emitted("cheyou.privilege.complaint_filed.v1", member.id)
        assert (complaint["order_id"], complaint["merchant_id"], complaint["category"]) == (
            order_id,
            MERCHANT,
            "attitude",
        )

    async def test_no_complaint_before_a_merchant_took_the_order(self, member_at: MemberAt) -> None:
        member = await member_at(Tier.THREE_STAR)
        order_id = (await member.book(DRIVE_HOME)).json()["id"]

        response = await member.client.post(
            f"/api/v1/orders/{order_id}/complaints",
            json={"category": "no_show", "description": "nobody came"},
            headers=member.headers,
        )

        assert response.status_code == 409


class TestListOrders:
    async def test_a_member_pages_through_their_own_orders_only(
        self, member_at: MemberAt, client: httpx.AsyncClient
    ) -> None:
        member = await member_at(Tier.FIVE_STAR)
        other = await member_at(Tier.FIVE_STAR)
        for _ in range(3):
            await member.book(DRIVE_HOME)
        await other.book(DRIVE_HOME)

        first = (await client.get("/api/v1/orders?limit=2", headers=member.headers)).json()
        second = (
            await client.get(f"/api/v1/orders?limit=2&cursor={first['next_cursor']}", headers=member.headers)
        ).json()
        foreign = await client.get(f"/api/v1/orders?member_id={other.id}", headers=member.headers)

        assert len(first["items"]) == 2
        assert len(second["items"]) == 1
        assert second["next_cursor"] is None
        assert {o["member_id"] for o in first["items"] + second["items"]} == {member.id}
        assert foreign.status_code == 404
