"""Injury-mediation appointments: slots per site, booking, no double booking, reschedule, cancel."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cheyou_kit.identity import Role

from ..conftest import Arrange  # noqa: TID252


async def open_slot(
    client: httpx.AsyncClient, arrange: Arrange, *, days: int = 2, site: str | None = None
) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0) + timedelta(
        minutes=uuid.uuid4().int % 100_000
    )
    response = await client.post(
        "/api/v1/appointment-slots",
        json={
            "site_code": site or f"FZ-{uuid.uuid4().hex[:6]}",
            "site_name": "鼓楼人伤调解室",
            "site_address": "福州市鼓楼区湖东路",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=30)).isoformat(),
        },
        headers=arrange.staff(Role.OPS),
    )
    assert response.status_code == 201, response.text
    slot: dict[str, Any] = response.json()
    return slot


async def book(
    client: httpx.AsyncClient, arrange: Arrange, member: uuid.UUID, claim_id: str, slot_id: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/appointments",
        json={"claim_id": claim_id, "slot_id": slot_id},
        headers=arrange.member(member),
    )


class TestCreateSlot:
    async def test_members_cannot_open_slots(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        response = await client.post(
            "/api/v1/appointment-slots",
            json={
                "site_code": "FZ1",
                "site_name": "x",
                "site_address": "y",
                "starts_at": "2026-12-01T09:00:00+08:00",
                "ends_at": "2026-12-01T09:30:00+08:00",
            },
            headers=arrange.member(),
        )

        assert response.status_code == 403

    async def test_a_slot_ending_before_it_starts_is_refused(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        response = await client.post(
            "/api/v1/appointment-slots",
            json={
                "site_code": "FZ1",
                "site_name": "x",
                "site_address": "y",
                "starts_at": "2026-12-01T09:00:00+08:00",
                "ends_at": "2026-12-01T08:30:00+08:00",
            },
            headers=arrange.staff(Role.OPS),
        )

        assert response.status_code == 422


class TestListFreeSlots:
    async def test_a_booked_slot_is_no_longer_offered(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        site = f"FZ-{uuid.uuid4().hex[:6]}"
        first, second = (
            await open_slot(client, arrange, site=site),
            await open_slot(client, arrange, site=site),
        )
        claim = await arrange.claim(member, injury_or_death=True)
        await book(client, arrange, member, claim["id"], first["id"])

        free = await client.get(
            "/api/v1/appointment-slots", params={"site_code": site}, headers=arrange.member()
        )

        assert [s["id"] for s in free.json()["items"]] == [second["id"]]


class TestBookAppointment:
    async def test_a_member_books_a_slot_for_their_injury_claim(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        slot = await open_slot(client, arrange)
        claim = await arrange.claim(member, injury_or_death=True)

        response = await book(client, arrange, member, claim["id"], slot["id"])

        assert response.status_code == 201
        assert response.json()["slot"]["site_name"] == "鼓楼人伤调解室"
        steps = (
            await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        ).json()
        assert steps["items"][-1]["text"].startswith("已预约人伤调解：鼓楼人伤调解室")

    async def test_two_claims_racing_for_one_slot_get_one_booking(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        slot = await open_slot(client, arrange)
        members = [uuid.uuid4() for _ in range(4)]
        claims = [await arrange.claim(m, injury_or_death=True) for m in members]

        answers = await asyncio.gather(
            *(book(client, arrange, m, c["id"], slot["id"]) for m, c in zip(members, claims, strict=True))
        )

        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
        assert {a.json()["type"].rsplit("/", 1)[-1] for a in answers if a.status_code == 409} == {
            "slot-booked"
        }

    async def test_a_claim_books_one_slot_at_a_time(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, injury_or_death=True)
        await book(client, arrange, member, claim["id"], (await open_slot(client, arrange))["id"])

        response = await book(client, arrange, member, claim["id"], (await open_slot(client, arrange))["id"])

        assert response.status_code == 409
        assert response.json()["type"].endswith("/claim-already-booked")

    async def test_a_claim_without_injury_needs_no_mediation(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await book(client, arrange, member, claim["id"], (await open_slot(client, arrange))["id"])

        assert response.status_code == 422

    async def test_nobody_books_for_someone_elses_claim(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        claim = await arrange.claim(uuid.uuid4(), injury_or_death=True)

        response = await book(
            client, arrange, uuid.uuid4(), claim["id"], (await open_slot(client, arrange))["id"]
        )

        assert response.status_code == 404


class TestRescheduleAppointment:
    async def test_moving_to_another_slot_frees_the_first(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member, other = uuid.uuid4(), uuid.uuid4()
        first, second = await open_slot(client, arrange), await open_slot(client, arrange, days=3)
        claim = await arrange.claim(member, injury_or_death=True)
        appointment = (await book(client, arrange, member, claim["id"], first["id"])).json()

        moved = await client.patch(
            f"/api/v1/appointments/{appointment['id']}",
            json={"slot_id": second["id"]},
            headers=arrange.member(member),
        )
        other_claim = await arrange.claim(other, injury_or_death=True)
        takes_first = await book(client, arrange, other, other_claim["id"], first["id"])

        assert moved.json()["slot"]["id"] == second["id"]
        assert takes_first.status_code == 201

    async def test_moving_onto_a_booked_slot_is_409_and_keeps_the_booking(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member, other = uuid.uuid4(), uuid.uuid4()
        mine, theirs = await open_slot(client, arrange), await open_slot(client, arrange)
        claim = await arrange.claim(member, injury_or_death=True)
        appointment = (await book(client, arrange, member, claim["id"], mine["id"])).json()
        other_claim = await arrange.claim(other, injury_or_death=True)
        await book(client, arrange, other, other_claim["id"], theirs["id"])

        response = await client.patch(
            f"/api/v1/appointments/{appointment['id']}",
            json={"slot_id": theirs["id"]},
            headers=arrange.member(member),
        )
        after = await client.get(f"/api/v1/appointments/{appointment['id']}", headers=arrange.member(member))

        assert response.status_code == 409
        assert after.json()["slot"]["id"] == mine["id"]


class TestCancelAppointment:
    async def test_a_cancelled_appointment_frees_its_slot(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        slot = await open_slot(client, arrange)
        claim = await arrange.claim(member, injury_or_death=True)
        appointment = (await book(client, arrange, member, claim["id"], slot["id"])).json()

        cancelled = await client.post(
            f"/api/v1/appointments/{appointment['id']}/cancellation", headers=arrange.member(member)
        )
        again = await book(client, arrange, member, claim["id"], slot["id"])

        assert cancelled.json()["status"] == "cancelled"
        assert again.status_code == 201

    async def test_someone_elses_appointment_is_404(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, injury_or_death=True)
        appointment = (
            await book(client, arrange, member, claim["id"], (await open_slot(client, arrange))["id"])
        ).json()

        response = await client.post(
            f"/api/v1/appointments/{appointment['id']}/cancellation", headers=arrange.member()
        )

        assert response.status_code == 404
