"""Faults in the middle of flow 1 (a renewal lifts the tier → entitlements → WeChat + inbox): a consuming
service killed with SIGKILL and started again, the platform's Postgres restarted, the Kafka broker
restarted. After each, the member's end state equals the no-fault run's — tier, tier history,
entitlements, points ledger, inbox, WeChat messages — nothing lost, nothing applied twice.

(The merchant's receiver going away during flow 2 is in ``test_flow_orders.py``, beside the flow.)
"""

import asyncio
import base64
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from cheyou_demo import Member, Platform
from cheyou_devinfra.components import KafkaBroker, Postgres
from cheyou_devinfra.platform import FAKES, Service
from cheyou_kit.testing import eventually

pytestmark = pytest.mark.slow

State = dict[str, Any]


EndState = Callable[[Platform, Member], Awaitable[State]]
"""``member_end_state`` (conftest): what the member and their WeChat see after flow 1."""


async def flow_one(
    cheyou: Platform, staff: dict[str, httpx.AsyncClient], fault: Callable[[], Awaitable[None]] | None
) -> Member:
    """Flow 1 up to the renewal; ``fault`` strikes right after the renewal is posted to the feed."""
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])
    issued = cheyou.policy_issued(member, 400_000)
    await cheyou.feed(staff["admin"], issued)

    async def ordinary() -> bool | None:
        response = await member.http.get(f"/entitlements/{member.member_id}")
        return True if response.status_code == 200 and response.json()["tier"] == "ordinary" else None

    await eventually(ordinary, within=30)
    await cheyou.feed(staff["admin"], cheyou.policy_renewed(member, issued["data"]["policy_no"], 700_000))
    if fault is not None:
        await fault()
    return member


async def converged(
    cheyou: Platform, member: Member, baseline: Member, end_state: EndState
) -> tuple[State, State]:
    """The member's end state and the no-fault member's, once they are equal (or, on time-out, the
    last pair seen, for the diff). The no-fault state is read again each time: it ran to its end long
    before, but a late consequence (a notification, points) may still have been on its way then."""
    last: tuple[State, State] = ({}, {})

    async def probe() -> tuple[State, State] | None:
        nonlocal last
        try:
            last = (await end_state(cheyou, member), await end_state(cheyou, baseline))
        except (AssertionError, httpx.HTTPError):
            return None  # a service still coming back
        return last if last[0] == last[1] else None

    try:
        return await eventually(probe, within=90)
    except TimeoutError:
        return last


@pytest.fixture(scope="module")
async def signed_in(
    services: dict[str, Service], staff_tokens: dict[str, str]
) -> AsyncIterator[tuple[Platform, dict[str, httpx.AsyncClient]]]:
    """The driver and staff for the whole module (the no-fault run and the faulty ones share them)."""
    fakes = {fake.name: fake.url for fake in FAKES}
    hash_key = base64.b64decode(os.environ["MEMBER_PII_HASH_KEY"])
    driver = Platform(services["gateway"].url, fakes["wechat"], fakes["sms"], hash_key)
    try:
        yield driver, {name: driver.client(Authorization=token) for name, token in staff_tokens.items()}
    finally:
        await driver.aclose()


@pytest.fixture(scope="module")
async def no_fault_run(
    signed_in: tuple[Platform, dict[str, httpx.AsyncClient]], member_end_state: EndState
) -> Member:
    """A member taken through flow 1 without a fault, to its end: the state every faulty run must reach."""
    cheyou, staff = signed_in
    member = await flow_one(cheyou, staff, None)

    async def done() -> State | None:
        state = await member_end_state(cheyou, member)
        inbox = Counter(code for code, _ in state["inbox"].elements())
        credits = sum(1 for direction, *_ in state["points"] if direction == "credit")
        finished = (
            state["tier"][0] == "three_star"
            and inbox["entitlements_changed"] == state["wechat"]["TPL_ENTITLEMENTS_CHANGED"] == 2
            and inbox["points_credited"] == state["wechat"]["TPL_POINTS_CREDITED"] == credits >= 1
            and inbox["verification_outcome"] == 1
        )
        return state if finished else None

    state = await eventually(done, within=90)
    assert state["entitlements"][0] == "three_star"
    return member


async def _restarted(processes: Any, service: Service) -> None:
    processes.kill(service.name)
    await asyncio.sleep(1)  # down for a moment: events queue up behind it
    processes.start(service.name)
    await processes.wait_ready(service)


@pytest.mark.parametrize("victim", ["member-svc", "privilege-svc", "notify-svc"])
async def test_a_consumer_killed_mid_flow_and_restarted_loses_and_repeats_nothing(
    victim: str,
    signed_in: tuple[Platform, dict[str, httpx.AsyncClient]],
    no_fault_run: Member,
    member_end_state: EndState,
    processes: Any,
    services: dict[str, Service],
) -> None:
    cheyou, staff = signed_in

    member = await flow_one(cheyou, staff, lambda: _restarted(processes, services[victim]))

    faulty, expected = await converged(cheyou, member, no_fault_run, member_end_state)
    assert faulty == expected


async def test_a_postgres_restart_mid_flow_loses_and_repeats_nothing(
    signed_in: tuple[Platform, dict[str, httpx.AsyncClient]],
    no_fault_run: Member,
    member_end_state: EndState,
    platform_postgres: Postgres | None,
) -> None:
    assert platform_postgres is not None, (
        "the platform's Postgres is not ours to restart (CHEYOU_E2E_PLATFORM)"
    )
    cheyou, staff = signed_in

    async def restart() -> None:
        await asyncio.to_thread(platform_postgres.restart)

    member = await flow_one(cheyou, staff, restart)

    faulty, expected = await converged(cheyou, member, no_fault_run, member_end_state)
    assert faulty == expected


async def test_a_kafka_broker_restart_mid_flow_loses_and_repeats_nothing(
    signed_in: tuple[Platform, dict[str, httpx.AsyncClient]],
    no_fault_run: Member,
    member_end_state: EndState,
    platform_broker: KafkaBroker | None,
) -> None:
    assert platform_broker is not None, "the platform's broker is not ours to restart (CHEYOU_E2E_KAFKA)"
    if platform_broker.kind == "tansu":
        pytest.fail("Tansu keeps topics in memory: a restart needs the outbox replay (deploy/RUNBOOK.md)")
    cheyou, staff = signed_in

    async def restart() -> None:
        await asyncio.to_thread(platform_broker.restart)

    member = await flow_one(cheyou, staff, restart)

    faulty, expected = await converged(cheyou, member, no_fault_run, member_end_state)
    assert faulty == expected
