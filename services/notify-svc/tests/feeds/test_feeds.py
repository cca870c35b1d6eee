"""The outside feeds: signed pushes (and the attacks on them), matching, de-duplication, replay, pulls."""

import base64
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cheyou_events.catalogue.member import MemberProfileChanged
from cheyou_events.outbox import event_inbox
from cheyou_fakes import feeds as provider
from cheyou_fakes import running
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually
from notify_svc.audience import service as audience
from notify_svc.config import Settings
from notify_svc.feeds import polling
from notify_svc.feeds.models import FeedCursor, FeedItem
from notify_svc.feeds.polling import PullSource
from notify_svc.reminders import service as reminders
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from tests.conftest import Fakes
from tests.factories import AT, contact_changed, member_id, openid, plate, vehicles
from tests.reminders.helpers import inbox, ops

VIOLATIONS = "/api/v1/feed-webhooks/violations"
WEATHER = "/api/v1/feed-webhooks/weather"


def _signed(
    body: dict[str, Any] | bytes,
    secret: str | None = None,
    *,
    at: int | None = None,
    delivery_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return raw, provider.signed_headers(
        secret or provider.DEV_SECRETS["violations"], raw, delivery_id=delivery_id, at=at
    )


async def _push(
    client: httpx.AsyncClient, path: str, items: list[dict[str, Any]], secret: str | None = None
) -> httpx.Response:
    raw, headers = _signed({"items": items}, secret or provider.DEV_SECRETS[path.rsplit("/", 1)[1]])
    return await client.post(path, content=raw, headers=headers)


async def _car_owner(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    region: str = "350102",
    *,
    wx: str | None = None,
    car: str | None = None,
) -> tuple[str, str]:
    """A member notify-svc knows: profile with a region, a WeChat contact, a vehicle. (member, plate)"""
    member, car = member_id(), car or plate()
    async with sessions() as session, session.begin():
        await audience.record_profile(
            session,
            MemberProfileChanged(
                member_id=member, region_code=region, interests=[], join_channel="wechat", changed_at=AT
            ),
        )
        await audience.record_contact(
            session, contact_changed(member, wx or openid(), None), settings.pii_cipher
        )
        await reminders.record_vehicles(
            session, vehicles(member, (car, date(2022, 3, 1), "household_car")).data
        )
    return member, car


async def _item(sessions: async_sessionmaker[AsyncSession], provider_item_id: str) -> FeedItem | None:
    async with sessions() as session:
        return await session.scalar(select(FeedItem).where(FeedItem.provider_item_id == provider_item_id))


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(FeedItem)) or 0)


def _city() -> str:
    """A made-up city code (``8xxx00``) no other test uses."""
    return f"8{random.randrange(10**3):03d}00"


class TestSignedPushes:
    async def test_a_violation_for_a_members_plate_reaches_them_with_the_agency_link(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        member, car = await _car_owner(sessions, service_settings)
        item = provider.violation(car, offence=1)

        answer = await _push(client, VIOLATIONS, [item])

        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "received": 1,
            "matched": 1,
            "skipped": 0,
            "duplicates": 0,
            "repeated_delivery": False,
        }
        recorded = await _item(sessions, item["id"])
        assert recorded is not None
        assert (recorded.status, recorded.reason, recorded.matched, recorded.via) == (
            "matched",
            None,
            1,
            "push",
        )

        async def told() -> list[dict[str, Any]] | None:
            return await inbox(client, identities, member) or None

        [message] = await eventually(told)
        assert message["template_code"] == "violation_reminder"
        assert "违反道路交通信号灯通行，罚款200元，记6分" in message["body"]
        assert message["link"] == "/h5/privileges/violation_agency/book"

    async def test_an_unknown_plate_is_recorded_and_skipped_not_refused(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        item = provider.violation("琼B" + f"{random.randrange(10**5):05d}")

        answer = await _push(client, VIOLATIONS, [item])

        assert answer.status_code == 200  # a provider would retry a refusal for ever
        assert answer.json()["skipped"] == 1
        recorded = await _item(sessions, item["id"])
        assert recorded is not None
        assert (recorded.status, recorded.reason, recorded.event_id) == ("skipped", "unknown_plate", None)

    async def test_an_item_sent_again_is_recorded_once(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        _, car = await _car_owner(sessions, service_settings)
        item = provider.violation(car)
        assert (await _push(client, VIOLATIONS, [item])).json()["matched"] == 1

        again = await _push(client, VIOLATIONS, [item, item])

        assert again.json() == {
            "received": 0,
            "matched": 0,
            "skipped": 0,
            "duplicates": 2,
            "repeated_delivery": False,
        }
        async with sessions() as session:
            n = await session.scalar(
                select(func.count()).select_from(FeedItem).where(FeedItem.provider_item_id == item["id"])
            )
        assert n == 1

    async def test_the_same_push_again_is_answered_and_records_nothing(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        raw, headers = _signed({"items": [provider.violation(plate())]})
        first = await client.post(VIOLATIONS, content=raw, headers=headers)
        before = await _count(sessions)

        repeated = await client.post(VIOLATIONS, content=raw, headers=headers)

        assert first.status_code == repeated.status_code == 200
        assert repeated.json()["repeated_delivery"] is True
        assert await _count(sessions) == before

    async def test_a_push_signed_by_the_standard_webhooks_library_is_accepted(
        self, client: httpx.AsyncClient
    ) -> None:
        """An independent implementation of the signature scheme, as a provider's SDK would sign."""
        raw = json.dumps({"items": [provider.violation(plate())]}).encode()
        delivery_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
        signature = Webhook(provider.DEV_SECRETS["violations"]).sign(delivery_id, now, raw.decode())
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(now.timestamp())),
        }

        answer = await client.post(
            VIOLATIONS, content=raw, headers={**headers, "webhook-signature": signature}
        )

        assert answer.status_code == 200, answer.text


class TestPushAttacks:
    """Each attack is refused with a problem, and nothing is recorded."""

    @pytest.fixture
    def item(self) -> dict[str, Any]:
        return provider.violation(plate())

    async def _refused(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        raw: bytes,
        headers: dict[str, str],
        slug: str,
        path: str = VIOLATIONS,
    ) -> None:
        before = await _count(sessions)
        answer = await client.post(path, content=raw, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith(f"/{slug}")
        assert await _count(sessions) == before

    async def test_an_unsigned_push(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], item: dict[str, Any]
    ) -> None:
        raw = json.dumps({"items": [item]}).encode()
        await self._refused(
            client, sessions, raw, {"content-type": "application/json"}, "feed-signature-missing"
        )

    async def test_a_push_signed_with_another_secret(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], item: dict[str, Any]
    ) -> None:
        forged = "whsec_" + base64.b64encode(b"an attacker's guess at the key!!").decode()
        raw, headers = _signed({"items": [item]}, forged)
        await self._refused(client, sessions, raw, headers, "feed-signature-invalid")

    async def test_the_weather_providers_signature_on_the_violation_endpoint(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], item: dict[str, Any]
    ) -> None:
        raw, headers = _signed({"items": [item]}, provider.DEV_SECRETS["weather"])
        await self._refused(client, sessions, raw, headers, "feed-signature-invalid")

    async def test_a_body_changed_after_signing(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], item: dict[str, Any]
    ) -> None:
        raw, headers = _signed({"items": [item]})
        tampered = raw.replace(b'"fine_fen": 20000', b'"fine_fen": 0')
        assert tampered != raw
        await self._refused(client, sessions, tampered, headers, "feed-signature-invalid")

    async def test_a_captured_push_replayed_after_the_tolerance(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
        item: dict[str, Any],
    ) -> None:
        old = int(time.time()) - service_settings.feed_signature_tolerance_seconds - 60
        raw, headers = _signed({"items": [item]}, at=old)
        await self._refused(client, sessions, raw, headers, "feed-signature-expired")

    async def test_a_push_dated_in_the_future(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
        item: dict[str, Any],
    ) -> None:
        ahead = int(time.time()) + service_settings.feed_signature_tolerance_seconds + 60
        raw, headers = _signed({"items": [item]}, at=ahead)
        await self._refused(client, sessions, raw, headers, "feed-signature-expired")


class TestMalformedPushes:
    """Bad input is a 422 naming the field, and writes nothing (the provider must fix its feed)."""

    @pytest.mark.parametrize(
        ("path", "change", "field"),
        [
            (VIOLATIONS, {"plate": "ABC123"}, "items.0.plate"),
            (VIOLATIONS, {"points": 13}, "items.0.points"),
            (VIOLATIONS, {"fine_fen": -1}, "items.0.fine_fen"),
            (VIOLATIONS, {"occurred_at": "2026-11-25T08:00:00"}, "items.0.occurred_at"),  # no time zone
            (WEATHER, {"region_code": "35010"}, "items.0.region_code"),
            (WEATHER, {"level": 5}, "items.0.level"),
            (WEATHER, {"kind": "meteor"}, "items.0.kind"),
        ],
    )
    async def test_a_bad_field(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        path: str,
        change: dict[str, Any],
        field: str,
    ) -> None:
        good = provider.violation(plate()) if path == VIOLATIONS else provider.weather_alert("350100")
        before = await _count(sessions)

        answer = await _push(client, path, [good, {**good, "id": "other", **change}])

        assert answer.status_code == 422, answer.text
        assert field.replace("items.0", "body.items.1") in [e["field"] for e in answer.json()["errors"]]
        assert await _count(sessions) == before

    async def test_too_many_items_in_one_push(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        before = await _count(sessions)
        answer = await _push(client, VIOLATIONS, [provider.violation(plate()) for _ in range(41)])
        assert answer.status_code == 422
        assert await _count(sessions) == before


class TestWeatherAlerts:
    async def test_a_level_2_typhoon_for_a_city_reaches_its_car_owners_with_the_claims_link(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        fakes: Fakes,
        service_settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        city = _city()
        wx = openid()
        owner, _ = await _car_owner(sessions, service_settings, f"{city[:4]}02", wx=wx)
        item = provider.weather_alert(city, "typhoon", 2, headline="台风橙色预警")

        answer = await _push(client, WEATHER, [item])

        assert answer.json()["matched"] == 1
        recorded = await _item(sessions, item["id"])
        assert recorded is not None
        assert (recorded.status, recorded.matched, recorded.kind) == ("matched", 1, "weather_alert")

        async def told() -> list[dict[str, Any]] | None:
            return await inbox(client, identities, owner) or None

        [message] = await eventually(told)
        assert message["body"] == "台风橙色预警：台风橙色预警。请注意行车安全，如遇出险可一键报案。"
        assert message["link"] == "/h5/claims/new"

        async def pushed() -> list[dict[str, Any]] | None:
            found: list[dict[str, Any]] = (
                await fakes.wechat.get("/_fake/messages", params={"touser": wx})
            ).json()["items"]
            return found or None

        [wechat] = await eventually(pushed)
        assert wechat["url"] == f"{service_settings.public_base_url}/h5/claims/new"

    async def test_a_region_without_car_owners_is_recorded_and_skipped(
        self, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        city = _city()
        async with sessions() as session, session.begin():  # a member there, but without a vehicle
            await audience.record_profile(
                session,
                MemberProfileChanged(
                    member_id=member_id(),
                    region_code=f"{city[:4]}01",
                    interests=[],
                    join_channel="wechat",
                    changed_at=AT,
                ),
            )
        item = provider.weather_alert(city, "freezing", 3)

        answer = await _push(client, WEATHER, [item])

        assert answer.status_code == 200
        recorded = await _item(sessions, item["id"])
        assert recorded is not None
        assert (recorded.status, recorded.reason) == ("skipped", "unknown_region")

    async def test_an_alert_already_over_is_skipped(
        self,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        city = _city()
        await _car_owner(sessions, service_settings, f"{city[:4]}01")
        item = provider.weather_alert(city, "rainstorm", 3)
        item["starts_at"] = (datetime.now(UTC) - timedelta(hours=5)).isoformat()
        item["ends_at"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

        await _push(client, WEATHER, [item])

        recorded = await _item(sessions, item["id"])
        assert recorded is not None
        assert (recorded.status, recorded.reason) == ("skipped", "ended")


class TestReplay:
    async def test_a_skipped_violation_replayed_after_the_vehicle_is_known_reaches_the_owner_once(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        car = plate()
        item = provider.violation(car)
        await _push(client, VIOLATIONS, [item])
        recorded = await _item(sessions, item["id"])
        assert recorded is not None
        assert recorded.reason == "unknown_plate"
        member, _ = await _car_owner(
            sessions, service_settings, car=car
        )  # the member's vehicle arrives afterwards

        replayed = await client.post(
            "/api/v1/feeds/replays", json={"item_ids": [str(recorded.id)]}, headers=ops(identities)
        )

        assert replayed.status_code == 200, replayed.text
        body = replayed.json()
        assert (body["replayed"], body["matched"], body["skipped"]) == (1, 1, 0)
        [after] = body["items"]
        assert (after["status"], after["replays"], after["replayed_by"]) == ("matched", 1, "ops1")

        async def told() -> list[dict[str, Any]] | None:
            return await inbox(client, identities, member) or None

        assert len(await eventually(told)) == 1
        again = await client.post(
            "/api/v1/feeds/replays", json={"item_ids": [str(recorded.id)]}, headers=ops(identities)
        )
        assert again.json()["items"][0]["replays"] == 2
        await eventually(lambda: _consumed(sessions, again.json()["items"][0]["event_id"]))  # consumed…
        assert len(await inbox(client, identities, member)) == 1  # …and told nobody twice

    async def test_a_window_of_a_providers_skipped_items(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        since = datetime.now(UTC).isoformat()
        await _push(client, VIOLATIONS, [provider.violation("琼B" + f"{random.randrange(10**5):05d}")])

        replayed = await client.post(
            "/api/v1/feeds/replays",
            json={"provider": "violations", "status": "skipped", "received_from": since},
            headers=ops(identities),
        )

        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["replayed"] >= 1
        assert {i["reason"] for i in replayed.json()["items"]} == {"unknown_plate"}

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"item_ids": [str(uuid.uuid4())], "provider": "violations", "received_from": AT.isoformat()},
            {"provider": "violations"},
            {"provider": "radio", "received_from": AT.isoformat()},
        ],
    )
    async def test_a_replay_that_names_nothing_or_both_is_refused(
        self, client: httpx.AsyncClient, identities: Identities, body: dict[str, Any]
    ) -> None:
        answer = await client.post("/api/v1/feeds/replays", json=body, headers=ops(identities))
        assert answer.status_code == 422

    async def test_an_unknown_item_is_a_404(self, client: httpx.AsyncClient, identities: Identities) -> None:
        answer = await client.post(
            "/api/v1/feeds/replays", json={"item_ids": [str(uuid.uuid4())]}, headers=ops(identities)
        )
        assert answer.status_code == 404
        assert answer.json()["type"].endswith("/feed-item-not-found")

    @pytest.mark.parametrize("role", [Role.MEMBER, Role.MANAGER, Role.REVIEWER])
    async def test_only_ops_see_and_replay_items(
        self, client: httpx.AsyncClient, identities: Identities, role: Role
    ) -> None:
        headers = identities.headers(
            "notify-svc", role, member_id=member_id() if role == Role.MEMBER else None
        )
        assert (await client.get("/api/v1/feeds/items", headers=headers)).status_code == 403
        replay = await client.post(
            "/api/v1/feeds/replays", json={"item_ids": [str(uuid.uuid4())]}, headers=headers
        )
        assert replay.status_code == 403


async def _consumed(sessions: async_sessionmaker[AsyncSession], event_id: str) -> bool | None:
    """The app's consumer handled the event (its id is in the event inbox)."""
    async with sessions() as session:
        found = await session.scalar(
            select(event_inbox.c.event_id).where(event_inbox.c.event_id == uuid.UUID(event_id))
        )
    return found is not None or None


class TestListing:
    async def test_ops_list_items_newest_first_by_provider_and_status(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        sessions: async_sessionmaker[AsyncSession],
        service_settings: Settings,
    ) -> None:
        _, car = await _car_owner(sessions, service_settings)
        matched, skipped = (
            provider.violation(car),
            provider.violation("琼C" + f"{random.randrange(10**5):05d}"),
        )
        await _push(client, VIOLATIONS, [matched, skipped])

        page = await client.get(
            "/api/v1/feeds/items",
            params={"provider": "violations", "status": "skipped"},
            headers=ops(identities),
        )

        assert page.status_code == 200
        ids = [i["provider_item_id"] for i in page.json()["items"]]
        assert skipped["id"] in ids
        assert matched["id"] not in ids
        by_plate = await client.get("/api/v1/feeds/items", params={"subject": car}, headers=ops(identities))
        [item] = by_plate.json()["items"]
        assert item["payload"]["offence"] == matched["offence"]
        providers = await client.get("/api/v1/feeds/providers", headers=ops(identities))
        counts = {p["provider"]: p["counts"] for p in providers.json()["items"]}
        assert counts["violations"]["matched"] >= 1
        assert counts["violations"]["skipped"] >= 1


@pytest.fixture(scope="module")
def weather_provider() -> Iterator[str]:
    with running(provider.create_app("weather", token="pull-token")) as url:
        yield url


class TestPulling:
    def _source(self, url: str, *, page: int = 2) -> PullSource:
        return PullSource(
            provider="weather",
            url=f"{url}/feed/items",
            token="pull-token",
            page=page,
            interval=10.0,
            backoff_ceiling=60.0,
            timeout=3.0,
        )

    async def _reset_cursor(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        async with sessions() as session, session.begin():
            cursor = await session.get(FeedCursor, "weather")
            if cursor is not None:
                await session.delete(cursor)

    async def test_pages_are_pulled_from_the_cursor_and_failures_back_off(
        self, weather_provider: str, sessions: async_sessionmaker[AsyncSession], service_settings: Settings
    ) -> None:
        await self._reset_cursor(sessions)
        city = _city()
        await _car_owner(sessions, service_settings, f"{city[:4]}01")
        items = [provider.weather_alert(city, "rainstorm", 4) for _ in range(3)]
        bad = {**provider.weather_alert(city), "level": 9}  # a provider's slip: passed over, not a loop
        async with httpx.AsyncClient(base_url=weather_provider) as fake:
            await fake.post("/_fake/items", json={"items": [*items, bad], "push": False})
        source = self._source(weather_provider)

        async with httpx.AsyncClient() as http:
            now = datetime.now(UTC)
            async with sessions() as session, session.begin():
                assert await polling.pull_once(session, http, source, now) == 2
            async with sessions() as session, session.begin():
                assert await polling.pull_once(session, http, source, now) == 2  # one of them malformed
            async with sessions() as session, session.begin():
                assert await polling.pull_once(session, http, source, now) == 0  # nothing new
            for item in items:
                recorded = await _item(sessions, item["id"])
                assert recorded is not None
                assert (recorded.via, recorded.status) == ("pull", "matched")

            async with httpx.AsyncClient(base_url=weather_provider) as fake:
                await fake.post("/_fake/fail-pulls", json={"count": 2, "status": 503})
            async with sessions() as session, session.begin():
                assert await polling.pull_once(session, http, source, now) == 0
            async with sessions() as session:
                cursor = await session.get(FeedCursor, "weather")
                assert cursor is not None
                assert cursor.failures == 1
                assert cursor.next_poll_at == now + timedelta(seconds=20)
                assert "503" in (cursor.last_error or "")
            # Backing off: a round before next_poll_at does not even ask the provider.
            async with httpx.AsyncClient(base_url=weather_provider) as fake:
                pulls = (await fake.get("/_fake/pushes")).json()["pulls"]
                async with sessions() as session, session.begin():
                    assert await polling.pull_once(session, http, source, now + timedelta(seconds=5)) == 0
                assert (await fake.get("/_fake/pushes")).json()["pulls"] == pulls
            later = now + timedelta(seconds=21)
            async with sessions() as session, session.begin():
                await polling.pull_once(session, http, source, later)  # fails again: 40 s
            async with sessions() as session:
                cursor = await session.get(FeedCursor, "weather")
                assert cursor is not None
                assert (cursor.failures, cursor.next_poll_at) == (2, later + timedelta(seconds=40))
            new = provider.weather_alert(city, "typhoon", 2)
            async with httpx.AsyncClient(base_url=weather_provider) as fake:
                await fake.post("/_fake/items", json={"items": [new], "push": False})
            async with sessions() as session, session.begin():
                assert await polling.pull_once(session, http, source, later + timedelta(seconds=41)) == 1
            async with sessions() as session:
                cursor = await session.get(FeedCursor, "weather")
                assert cursor is not None
                assert (cursor.failures, cursor.next_poll_at, cursor.last_error) == (0, None, None)
        assert await _item(sessions, new["id"]) is not None

    async def test_a_wrong_token_is_a_failure_not_a_crash(
        self, weather_provider: str, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await self._reset_cursor(sessions)
        source = PullSource("weather", f"{weather_provider}/feed/items", "wrong", 2, 10.0, 60.0, 3.0)
        async with httpx.AsyncClient() as http, sessions() as session, session.begin():
            assert await polling.pull_once(session, http, source, datetime.now(UTC)) == 0
        async with sessions() as session:
            cursor = await session.get(FeedCursor, "weather")
            assert cursor is not None
            assert cursor.failures == 1
            assert "401" in (cursor.last_error or "")
        await self._reset_cursor(sessions)
