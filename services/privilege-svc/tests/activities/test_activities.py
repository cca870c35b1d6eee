"""Activities: capacity under concurrent sign-ups, the waitlist, QR check-in, attendance points, stats."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberProfileChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from privilege_svc.config import Settings
from privilege_svc.member_projection import service as members
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AUDIENCE = "privilege-svc"
NewMember = Callable[..., Awaitable[str]]
Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]
Sessions = async_sessionmaker[AsyncSession]


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")


def as_member(identities: Identities, member_id: str) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)


async def activity(client: httpx.AsyncClient, identities: Identities, **fields: Any) -> dict[str, Any]:
    starts = datetime.now(UTC) + timedelta(days=7)
    body = {
        "title": "摄影课堂: 福州三坊七巷",
        "kind": "photography_class",
        "place": "三坊七巷",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "capacity": 2,
        **fields,
    }
    response = await client.post("/api/v1/activities", json=body, headers=ops(identities))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def sign_up(
    client: httpx.AsyncClient, identities: Identities, activity_id: str, member_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/activities/{activity_id}/signups", json=body, headers=as_member(identities, member_id)
    )


async def points_of(client: httpx.AsyncClient, identities: Identities, member_id: str) -> int:
    response = await client.get(f"/api/v1/points/{member_id}", headers=as_member(identities, member_id))
    return int(response.json()["balance"])


class TestSignUp:
    async def test_a_seat_is_taken_and_announced(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, emitted: Emitted
    ) -> None:
        event = await activity(client, identities)
        member_id = await new_member(Tier.ORDINARY)

        response = await sign_up(client, identities, event["id"], member_id, party_size=2)

        assert response.status_code == 201
        assert response.json()["status"] == "confirmed"
        [signed_up] = await emitted("cheyou.privilege.activity_signed_up.v1", member_id)
        assert (signed_up["activity_id"], signed_up["party_size"]) == (event["id"], 2)

    async def test_a_full_activity_refuses_unless_asked_to_queue(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities, capacity=1)
        first, second = await new_member(), await new_member()
        await sign_up(client, identities, event["id"], first)

        refused = await sign_up(client, identities, event["id"], second)
        queued = await sign_up(client, identities, event["id"], second, join_waitlist=True)

        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/activity-full")
        assert queued.json()["status"] == "waitlisted"

    async def test_concurrent_sign_ups_never_exceed_the_capacity(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities, capacity=10)
        members = [await new_member() for _ in range(30)]

        responses = await asyncio.gather(*(sign_up(client, identities, event["id"], m) for m in members))

        assert sorted(r.status_code for r in responses) == [201] * 10 + [409] * 20

    async def test_a_closed_activity_refuses(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(
            client, identities, signup_closes_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        )

        response = await sign_up(client, identities, event["id"], await new_member())

        assert response.status_code == 409
        assert response.json()["type"].endswith("/activity-closed")

    async def test_an_activity_for_star_members_refuses_an_ordinary_member(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities, target_tiers=["three_star", "four_star", "five_star"])

        response = await sign_up(client, identities, event["id"], await new_member(Tier.ORDINARY))

        assert response.status_code == 422

    async def test_signing_up_twice_is_refused(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities, capacity=5)
        member_id = await new_member()
        await sign_up(client, identities, event["id"], member_id)

        response = await sign_up(client, identities, event["id"], member_id)

        assert response.status_code == 409


class TestCancelSignup:
    async def test_a_freed_seat_goes_to_the_first_in_the_queue_and_points_come_back(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, emitted: Emitted
    ) -> None:
        event = await activity(client, identities, capacity=1, points_price=30)
        first, second = await new_member(), await new_member()
        for member_id in (first, second):
            await client.post(
                f"/api/v1/points/{member_id}/adjustments",
                json={"points": 100, "reason": "x y"},
                headers=ops(identities),
            )
        seat = (await sign_up(client, identities, event["id"], first)).json()
        queued = (await sign_up(client, identities, event["id"], second, join_waitlist=True)).json()

        cancelled = await client.post(
            f"/api/v1/activities/{event['id']}/signups/{seat['id']}/cancel",
            headers=as_member(identities, first),
        )

        assert cancelled.json()["status"] == "cancelled"
        assert await points_of(client, identities, first) == 100
        assert await points_of(client, identities, second) == 70
        [promoted] = await emitted("cheyou.privilege.activity_signed_up.v1", second)
        assert promoted["signup_id"] == queued["id"]

    async def test_someone_else_cannot_cancel_a_members_place(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities)
        seat = (await sign_up(client, identities, event["id"], await new_member())).json()

        response = await client.post(
            f"/api/v1/activities/{event['id']}/signups/{seat['id']}/cancel",
            headers=as_member(identities, str(uuid.uuid4())),
        )

        assert response.status_code == 404


class TestCheckIn:
    async def test_the_members_qr_code_checks_them_in_and_earns_points_once(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        new_member: NewMember,
        emitted: Emitted,
    ) -> None:
        event = await activity(client, identities, points_reward=40)
        member_id = await new_member()
        seat = (await sign_up(client, identities, event["id"], member_id)).json()
        qr = (
            await client.get(
                f"/api/v1/activities/{event['id']}/signups/{seat['id']}/qr",
                headers=as_member(identities, member_id),
            )
        ).json()

        url = f"/api/v1/activities/{event['id']}/check-ins"
        first = await client.post(url, json={"code": qr["code"]}, headers=ops(identities))
        again = await client.post(url, json={"code": qr["code"]}, headers=ops(identities))

        assert qr["svg"].startswith("<?xml")
        assert (first.json()["status"], again.json()["status"]) == ("attended", "attended")
        assert await points_of(client, identities, member_id) == 40
        [attended] = await emitted("cheyou.privilege.activity_attended.v1", member_id)
        assert attended["signup_id"] == seat["id"]
        assert attended["activity_title"] == event["title"]

    async def test_a_forged_code_is_refused(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities)
        seat = (await sign_up(client, identities, event["id"], await new_member())).json()

        response = await client.post(
            f"/api/v1/activities/{event['id']}/check-ins",
            json={"code": f"{seat['id']}.AAAAAAAAAAAAAAAAAAAAAAAA"},
            headers=ops(identities),
        )

        assert response.status_code == 422
        assert response.json()["field"] == "code"

    async def test_a_member_cannot_check_themself_in(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        event = await activity(client, identities)
        member_id = await new_member()

        response = await client.post(
            f"/api/v1/activities/{event['id']}/check-ins",
            json={"code": "whatever-code-123"},
            headers=as_member(identities, member_id),
        )

        assert response.status_code == 403


class TestStats:
    async def test_participation_counts_people_who_came(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember
    ) -> None:
        starts = datetime(2031, 5, 1, 9, tzinfo=UTC)
        event = await activity(
            client,
            identities,
            capacity=5,
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=2)).isoformat(),
        )
        members = [await new_member() for _ in range(3)]
        seats = [
            (await sign_up(client, identities, event["id"], m, party_size=2)).json() for m in members[:2]
        ]
        await sign_up(client, identities, event["id"], members[2], party_size=2, join_waitlist=True)
        for seat, member_id in zip(seats, members, strict=False):
            qr = await client.get(
                f"/api/v1/activities/{event['id']}/signups/{seat['id']}/qr",
                headers=as_member(identities, member_id),
            )
            if member_id == members[0]:
                await client.post(
                    f"/api/v1/activities/{event['id']}/check-ins",
                    json={"code": qr.json()["code"]},
                    headers=ops(identities),
                )

        response = await client.get(
            "/api/v1/activities/stats?from=2031-05-01T00:00:00Z&to=2031-05-02T00:00:00Z",
            headers=ops(identities),
        )

        body = response.json()
        [row] = body["activities"]
        assert (row["seats_taken"], row["waitlisted"], row["attended_people"]) == (4, 1, 2)
        assert body["participations"] == 2


async def interested_in(sessions: Sessions, member_id: str, *interests: str) -> None:
    """The member's interests as member-svc's ``member.profile_changed`` announced them."""
    async with sessions() as session, session.begin():
        await members.apply_profile(session, profile(member_id, list(interests)))


def profile(member_id: str, interests: list[str]) -> MemberProfileChanged:
    return MemberProfileChanged(
        member_id=member_id, interests=interests, join_channel="wechat", changed_at=datetime.now(UTC)
    )


class TestTargeting:
    async def test_interests_announced_by_member_svc_open_an_activity_for_them(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        new_member: NewMember,
        service_settings: Settings,
    ) -> None:
        event = await activity(client, identities, interests=["photography", "self_drive"])
        member_id = await new_member()
        before = await sign_up(client, identities, event["id"], member_id)

        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(profile(member_id, ["photography", "fishing"]), source="member-svc"),
        )

        async def admitted() -> httpx.Response | None:
            response = await sign_up(client, identities, event["id"], member_id)
            return response if response.status_code == 201 else None

        assert before.status_code == 422
        assert before.json()["type"].endswith("/activity-not-for-interests")
        assert (await eventually(admitted)).json()["status"] == "confirmed"

    async def test_a_refused_sign_up_writes_nothing(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        event = await activity(client, identities, interests=["photography"])
        member_id = await new_member()
        await interested_in(committed, member_id, "fitness")

        response = await sign_up(client, identities, event["id"], member_id)
        signups = await client.get(f"/api/v1/activities/{event['id']}/signups", headers=ops(identities))

        assert response.status_code == 422
        assert signups.json()["items"] == []

    async def test_a_member_lists_only_the_activities_aimed_at_them(
        self, client: httpx.AsyncClient, identities: Identities, new_member: NewMember, committed: Sessions
    ) -> None:
        member_id = await new_member(Tier.THREE_STAR)
        await interested_in(committed, member_id, "photography")
        for_all = await activity(client, identities)
        for_photographers = await activity(client, identities, interests=["photography", "movie"])
        for_stars = await activity(client, identities, target_tiers=["three_star"], interests=["photography"])
        for_anglers = await activity(client, identities, interests=["fishing"])
        for_five_stars = await activity(client, identities, target_tiers=["five_star"])

        listed = await client.get("/api/v1/activities?limit=200", headers=as_member(identities, member_id))
        hidden = await client.get(
            f"/api/v1/activities/{for_anglers['id']}", headers=as_member(identities, member_id)
        )
        staff = await client.get("/api/v1/activities?limit=200", headers=ops(identities))

        ids = {a["id"] for a in listed.json()["items"]}
        assert {for_all["id"], for_photographers["id"], for_stars["id"]} <= ids
        assert not {for_anglers["id"], for_five_stars["id"]} & ids
        assert hidden.status_code == 404
        assert {for_anglers["id"], for_five_stars["id"]} <= {a["id"] for a in staff.json()["items"]}
