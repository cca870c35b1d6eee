"""Kafka and Redis outages on the real platform (issue 23, item 1): readiness stays, the API keeps serving.

- **Kafka stopped**: every service's ``/readyz`` stays 200 (a service started during the outage too); a
  member books a privilege and redeems points — the writes wait in the outbox; the broker comes back, the
  outbox drains, and each event is processed once by each consumer group that handles it — the same
  groups, and the same end state, as a member who did the same with the broker up.
- **Redis stopped**: every ``/readyz`` stays 200; reads and writes that do not need Redis are served (the
  rate limits fail open; the services verify the gateway's identity tokens without Redis); booking with an
  ``Idempotency-Key`` goes through and a repeat is still answered with the first booking (privilege-svc
  keeps the key in its database; ``Idempotency-Status: service``); a mutation whose key only the gateway
  could keep, and signing in, are refused with 503 ``dependency-unavailable`` and write nothing.

The degradations are documented in ``libs/kit/README.md`` ("When Redis is down").
"""

import asyncio
import base64
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from cheyou_demo import Member, Platform
from cheyou_devinfra.components import KafkaBroker
from cheyou_devinfra.components import Redis as RedisServer
from cheyou_devinfra.platform import FAKES, SERVICES, Service
from cheyou_devinfra.provisioning import database_dsn
from cheyou_kit.testing import eventually

pytestmark = pytest.mark.slow

CITY = "350125"  # 永泰县: a county no other suite contracts a merchant in
PRICE, FUNDS = 100, 300
EndState = Callable[[Platform, Member], Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
async def signed_in(
    services: dict[str, Service], staff_tokens: dict[str, str]
) -> AsyncIterator[tuple[Platform, dict[str, httpx.AsyncClient]]]:
    fakes = {fake.name: fake.url for fake in FAKES}
    hash_key = base64.b64decode(os.environ["MEMBER_PII_HASH_KEY"])
    driver = Platform(services["gateway"].url, fakes["wechat"], fakes["sms"], hash_key)
    try:
        yield driver, {name: driver.client(Authorization=token) for name, token in staff_tokens.items()}
    finally:
        await driver.aclose()


@pytest.fixture(scope="module")
async def reward(signed_in: tuple[Platform, dict[str, httpx.AsyncClient]]) -> str:
    """A service in the points mall that every tier may redeem."""
    _, staff = signed_in
    created = await staff["ops1"].post(
        "/rewards",
        json={
            "name": "停运演练：精品洗车",
            "kind": "service",
            "tier_prices": dict.fromkeys(("ordinary", "three_star", "four_star", "five_star"), PRICE),
            "stock": 100,
            "starts_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def star_member(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> Member:
    """A verified star member (free after-drinking driving) with points to spend."""
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    await cheyou.feed(staff["admin"], cheyou.policy_issued(member, 1_500_000))

    async def starred() -> bool | None:
        body = (await member.http.get(f"/entitlements/{member.member_id}")).json()
        codes = {i["privilege_code"] for i in body.get("items", [])}
        star = body.get("tier") in {"three_star", "four_star", "five_star"}
        return True if star and "after_drinking_driving" in codes else None

    await eventually(starred, within=90)
    topped = await staff["ops1"].post(
        f"/points/{member.member_id}/adjustments", json={"points": FUNDS, "reason": "停运演练积分"}
    )
    assert topped.status_code == 201, topped.text

    async def welcomed() -> bool | None:
        entries = (await member.http.get(f"/points/{member.member_id}/entries", params={"limit": 100})).json()
        return True if any(e["rule_code"] == "welcome" for e in entries["items"]) else None

    await eventually(welcomed, within=60)
    return member


async def book_and_redeem(member: Member, reward: str) -> tuple[httpx.Response, httpx.Response]:
    booking = {
        "privilege_code": "after_drinking_driving",
        "city_code": CITY,
        "pickup_address": "福州市永泰县樟城镇城峰路1号",
        "destination_address": "福州市永泰县葛岭镇溪口村",
        "vehicle_plate": member.plate,
    }
    booked = await member.http.post(
        "/orders", json=booking, headers={"Idempotency-Key": f"outage-book-{member.member_id}"}
    )
    redeemed = await member.http.post(
        f"/rewards/{reward}/redemptions", headers={"Idempotency-Key": f"outage-redeem-{member.member_id}"}
    )
    return booked, redeemed


async def all_ready(services: dict[str, Service]) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=5) as http:
        return {name: (await http.get(f"{s.url}/readyz")).status_code for name, s in services.items()}


async def dependency_up(service: Service, dependency: str) -> float | None:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{service.url}/metrics")).text
    for line in text.splitlines():
        if line.startswith("cheyou_dependency_up{") and f'dependency="{dependency}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return None


async def degraded(service: Service, feature: str, outcome: str) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{service.url}/metrics")).text
    total = 0.0
    for line in text.splitlines():
        if (
            line.startswith("cheyou_degraded_total{")
            and f'feature="{feature}"' in line
            and f'outcome="{outcome}"' in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Databases:
    """The services' databases, read as the server's superuser (what an operator's psql would show)."""

    def __init__(self, server_dsn: str) -> None:
        self.server_dsn = server_dsn

    async def fetch(self, service: Service, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(database_dsn(self.server_dsn, service.database_name))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def outbox(self, member_id: str) -> list[asyncpg.Record]:
        """privilege-svc's events about the member: id, type, whether published."""
        privilege = next(s for s in SERVICES if s.name == "privilege-svc")
        return await self.fetch(
            privilege,
            "SELECT id, type, published_at FROM event_outbox WHERE key = $1 ORDER BY sequence",
            member_id,
        )

    async def processed(self, event_ids: list[uuid.UUID]) -> Counter[tuple[uuid.UUID, str]]:
        """(event id, consumer group) → how many times the group recorded it, over every database."""
        seen: Counter[tuple[uuid.UUID, str]] = Counter()
        for service in SERVICES:
            rows = await self.fetch(
                service,
                "SELECT event_id, consumer_group FROM event_inbox WHERE event_id = ANY($1::uuid[])",
                event_ids,
            )
            seen.update((row["event_id"], row["consumer_group"]) for row in rows)
        return seen


@pytest.fixture(scope="module")
def databases(platform_postgres_dsn: str) -> Databases:
    return Databases(platform_postgres_dsn)


async def delivery(databases: Databases, member: Member) -> dict[str, Counter[str]]:
    """For each type of the member's privilege events: the consumer groups that processed them, with
    how many times (the end state of the delivery, comparable between two members)."""
    events = await databases.outbox(member.member_id)
    processed = await databases.processed([e["id"] for e in events])
    by_type: dict[str, Counter[str]] = {}
    for event in events:
        groups = by_type.setdefault(event["type"], Counter())
        for (event_id, group), count in processed.items():
            if event_id == event["id"]:
                groups[group] += count
    return by_type


async def orders_and_redemptions(member: Member) -> tuple[list[str], list[str]]:
    orders = (await member.http.get("/orders", params={"member_id": member.member_id, "limit": 50})).json()
    mine = (await member.http.get(f"/points/{member.member_id}/entries", params={"limit": 100})).json()
    return (
        sorted(o["status"] for o in orders.get("items", [])),
        sorted(e["reason"] for e in mine["items"] if e["direction"] == "debit"),
    )


async def test_with_kafka_stopped_the_api_serves_and_the_outbox_delivers_each_event_once_after(
    signed_in: tuple[Platform, dict[str, httpx.AsyncClient]],
    reward: str,
    services: dict[str, Service],
    platform_broker: KafkaBroker | None,
    processes: Any,
    databases: Databases,
    member_end_state: EndState,
) -> None:
    assert platform_broker is not None, "the platform's broker is not ours to stop (CHEYOU_E2E_KAFKA)"
    if platform_broker.kind == "tansu":
        pytest.fail("Tansu keeps topics in memory: a restart needs the outbox replay (deploy/RUNBOOK.md)")
    cheyou, staff = signed_in
    # The same journey with the broker up: what the outage member must end equal to.
    baseline = await star_member(cheyou, staff)
    member = await star_member(cheyou, staff)
    booked, redeemed = await book_and_redeem(baseline, reward)
    assert (booked.status_code, redeemed.status_code) == (201, 201), (booked.text, redeemed.text)

    last: dict[str, Counter[str]] = {}

    async def baseline_delivered() -> dict[str, Counter[str]] | None:
        """Published, and what the consumers recorded no longer changing (some types have none)."""
        nonlocal last
        events = await databases.outbox(baseline.member_id)
        found = await delivery(databases, baseline)
        published = events and all(e["published_at"] is not None for e in events)
        stable, last = found == last and any(found.values()), found
        if not stable:
            await asyncio.sleep(2)
        return found if published and stable else None

    await eventually(baseline_delivered, within=120)

    await asyncio.to_thread(platform_broker.stop)
    try:
        assert set((await all_ready(services)).values()) == {200}
        await eventually(lambda: _equals(dependency_up(services["privilege-svc"], "kafka"), 0.0), within=30)
        # A replica that starts during the outage (a rescheduled pod) becomes ready too.
        processes.kill("notify-svc")
        processes.start("notify-svc")
        await processes.wait_ready(services["notify-svc"])

        booked, redeemed = await book_and_redeem(member, reward)
        assert booked.status_code == 201, booked.text
        assert redeemed.status_code == 201, redeemed.text
        assert (await member.http.get(f"/points/{member.member_id}")).status_code == 200
        waiting = [e for e in await databases.outbox(member.member_id) if e["published_at"] is None]
        assert {e["type"] for e in waiting} >= {
            "cheyou.privilege.order_requested.v1",
            "cheyou.privilege.reward_redeemed.v1",
        }
        assert set((await all_ready(services)).values()) == {200}
    finally:
        await asyncio.to_thread(platform_broker.start)

    async def drained() -> bool | None:
        events = await databases.outbox(member.member_id)
        return True if events and all(e["published_at"] is not None for e in events) else None

    await eventually(drained, within=180)

    # Each event processed once by each group that handles its type: the same as the baseline's.
    async def same_delivery() -> tuple[Any, Any] | None:
        pair = (await delivery(databases, member), await delivery(databases, baseline))
        return pair if pair[0] == pair[1] else None

    try:
        outage, expected = await eventually(same_delivery, within=120)
    except TimeoutError:
        outage, expected = await delivery(databases, member), await delivery(databases, baseline)
    assert outage == expected
    # Each event of a type processed exactly once by each group that handles the type.
    events = Counter(e["type"] for e in await databases.outbox(member.member_id))
    for event_type, groups in outage.items():
        assert all(count == events[event_type] for count in groups.values()), (event_type, groups)

    async def same_state() -> tuple[Any, Any] | None:
        pair = (
            (await member_end_state(cheyou, member), await orders_and_redemptions(member)),
            (await member_end_state(cheyou, baseline), await orders_and_redemptions(baseline)),
        )
        return pair if pair[0] == pair[1] else None

    try:
        faulty, wanted = await eventually(same_state, within=90)
    except TimeoutError:
        faulty = (await member_end_state(cheyou, member), await orders_and_redemptions(member))
        wanted = (await member_end_state(cheyou, baseline), await orders_and_redemptions(baseline))
    assert faulty == wanted
    await eventually(lambda: _equals(dependency_up(services["privilege-svc"], "kafka"), 1.0), within=30)


async def test_with_redis_stopped_the_api_serves_what_does_not_need_it_and_refuses_the_rest(
    signed_in: tuple[Platform, dict[str, httpx.AsyncClient]],
    reward: str,
    services: dict[str, Service],
    platform_redis: RedisServer | None,
) -> None:
    assert platform_redis is not None, "the platform's Redis is not ours to stop (CHEYOU_E2E_PLATFORM)"
    cheyou, staff = signed_in
    ops = staff["ops1"]
    member = await star_member(cheyou, staff)
    balance = (await member.http.get(f"/points/{member.member_id}")).json()["balance"]
    gateway = services["gateway"]

    await asyncio.to_thread(platform_redis.stop)
    try:
        assert set((await all_ready(services)).values()) == {200}
        await eventually(lambda: _equals(dependency_up(gateway, "redis"), 0.0), within=30)

        # Reads: through the gateway (rate limits fail open) into the services (no Redis on their path).
        me = await member.http.get(f"/points/{member.member_id}")
        assert me.status_code == 200, me.text
        assert me.json()["balance"] == balance
        assert (await ops.get(f"/members/{member.member_id}")).status_code == 200

        # A write without an Idempotency-Key needs no Redis.
        topped = await ops.post(
            f"/points/{member.member_id}/adjustments", json={"points": 7, "reason": "Redis 停运演练"}
        )
        assert topped.status_code == 201, topped.text

        # Booking keeps its Idempotency-Key in privilege-svc's database: served, and a repeat is the same.
        booked, redeemed = await book_and_redeem(member, reward)
        assert booked.status_code == 201, booked.text
        assert booked.headers.get("idempotency-status") == "service"
        again, _ = await book_and_redeem(member, reward)
        assert again.status_code in (200, 201), again.text
        assert again.json()["id"] == booked.json()["id"]
        assert redeemed.status_code == 201, redeemed.text

        # A mutation whose key only the gateway could keep: refused, and nothing written.
        refused = await ops.post(
            f"/points/{member.member_id}/adjustments",
            json={"points": 5, "reason": "不应入账"},
            headers={"Idempotency-Key": f"outage-adjust-{member.member_id}"},
        )
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/dependency-unavailable")
        assert int(refused.headers["retry-after"]) >= 1
        entries = (await member.http.get(f"/points/{member.member_id}/entries", params={"limit": 100})).json()
        assert not any(e["points"] == 5 and e["direction"] == "credit" for e in entries["items"])
        assert (await member.http.get(f"/points/{member.member_id}")).json()["balance"] == balance + 7 - PRICE

        # Signing in fails closed (its attempt limits live in Redis): a 503, not a 500.
        async with httpx.AsyncClient(base_url=f"{gateway.url}/api/v1", timeout=10) as anonymous:
            sign_in = await anonymous.post(
                "/auth/staff/login", json={"username": "ops1", "password": "wrong-on-purpose"}
            )
        assert sign_in.status_code == 503, sign_in.text
        assert sign_in.json()["type"].endswith("/dependency-unavailable")

        assert await degraded(gateway, "rate_limits", "fail_open") > 0
        assert await degraded(gateway, "idempotency_keys", "refused") > 0
        assert set((await all_ready(services)).values()) == {200}
    finally:
        await asyncio.to_thread(platform_redis.start)

    for service in services.values():  # every process finds Redis again (a pooled connection reconnects)
        await eventually(lambda: _equals(dependency_up(service, "redis"), 1.0), within=30)  # noqa: B023
    repeated = await ops.post(
        f"/points/{member.member_id}/adjustments",
        json={"points": 5, "reason": "Redis 恢复后入账"},
        headers={"Idempotency-Key": f"outage-adjust-{member.member_id}"},
    )
    assert repeated.status_code == 201, repeated.text


async def _equals(value: Awaitable[float | None], wanted: float) -> bool | None:
    return True if await value == wanted else None
