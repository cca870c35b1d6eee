"""The runbook's recovery after a Tansu restart (deploy/RUNBOOK.md, "Locally, after a Tansu restart"),
rehearsed on a platform of its own that the launcher runs on Tansu, as ``make up`` with
``CHEYOU_BROKER=tansu`` does.

Flow 1 (a renewal lifts the tier → entitlements → WeChat + inbox) is cut by a broker crash at a point
where the broker, and only the broker, holds what is left to do: notify-svc is down (a deploy, say)
while the renewal goes through and every outbox hands its events to Tansu; then Tansu crashes and comes
back empty, and the platform keeps serving on it for a while, as it would until someone notices. The
runbook's steps are then followed as written (its shell block is run as it stands), and the member must
end as a member of the same platform who saw no fault: same tier, entitlements and points, one inbox
entry and one WeChat message per tier change and per credit, nothing twice. The no-fault member's
events are replayed too and must change nothing.
"""

import asyncio
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from cheyou_demo import Member, Platform
from cheyou_devinfra.platform import ROOT, SERVICES
from cheyou_events.topics import TOPICS
from cheyou_kit.testing import eventually
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow

State = dict[str, Any]
EndState = Callable[[Platform, Member], Awaitable[State]]
RUNBOOK = ROOT / "deploy" / "RUNBOOK.md"
SECTION = "### Locally, after a Tansu restart"


def runbook_replay_script(platform: Any) -> str:
    """The shell block of the runbook's Tansu section, pointed at this platform's state dir instead of
    ``.dev`` (and at this interpreter)."""
    section = RUNBOOK.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, f"{RUNBOOK} {SECTION!r}: expected one bash block, found {len(blocks)}"
    script: str = blocks[0]
    return script.replace(".dev/", f"{platform.state}/").replace(".venv/bin/python", sys.executable)


async def unpublished(platform: Any) -> dict[str, int]:
    """Runbook step 4: the outbox rows not yet handed to the broker, per service database."""
    counts: dict[str, int] = {}
    server = platform.infra.postgres_dsn.rsplit("/", 1)[0]
    for service in SERVICES:
        conn = await asyncpg.connect(f"{server}/{service.database_name}")
        try:
            counts[service.name] = await conn.fetchval(
                "SELECT count(*) FROM event_outbox WHERE published_at IS NULL"
            )
        finally:
            await conn.close()
    return counts


async def consumer_lag() -> dict[str, float | None]:
    """Runbook step 4: the largest ``cheyou_events_consumer_lag`` on each service's /metrics (None until
    its consumer has read something)."""
    lag: dict[str, float | None] = {}
    async with httpx.AsyncClient(timeout=5) as http:
        for service in SERVICES:
            response = await http.get(f"{service.url}/metrics")
            assert response.status_code == 200, f"{service.name}: {response.status_code}"
            samples = [
                sample.value
                for family in text_string_to_metric_families(response.text)
                if family.name == "cheyou_events_consumer_lag"
                for sample in family.samples
            ]
            lag[service.name] = max(samples, default=None)
    return lag


async def partition_counts(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(TOPICS))
    finally:
        await admin.close()
    return {topic["topic"]: len(topic["partitions"]) for topic in described}


async def until_equal(probe: Callable[[], Awaitable[Any]], wanted: Any, within: float = 90) -> Any:
    """What ``probe`` returns once it equals ``wanted``, or on time-out the last answer (for the diff)."""
    last: Any = None

    async def matches() -> Any:
        nonlocal last
        try:
            last = await probe()
        except (AssertionError, httpx.HTTPError, OSError):
            return None  # a service still coming up
        return last if last == wanted else None

    try:
        return await eventually(matches, within=within)
    except TimeoutError:
        return last


async def entitled_as(member: Member, tier: str) -> None:
    async def probe() -> bool | None:
        response = await member.http.get(f"/entitlements/{member.member_id}")
        return True if response.status_code == 200 and response.json()["tier"] == tier else None

    await eventually(probe, within=60)


async def verified_member(cheyou: Platform, staff: dict[str, httpx.AsyncClient]) -> Member:
    """A verified member, once their welcome points are in their inbox (the platform knows them)."""
    member = await cheyou.member(staff["ops1"], staff["reviewer1"])

    async def welcomed() -> bool | None:
        inbox = await member.http.get(f"/inbox/{member.member_id}", params={"limit": 100})
        items = inbox.json()["items"] if inbox.status_code == 200 else []
        return True if any(item["template_code"] == "points_credited" for item in items) else None

    await eventually(welcomed, within=60)
    return member


def pushes(state: State) -> Counter[str]:
    return Counter(code for code, _ in state["inbox"].elements())


async def test_the_runbook_recovers_a_tansu_restart_mid_flow_losing_and_repeating_nothing(
    tansu_platform: Any, member_end_state: EndState
) -> None:
    platform = tansu_platform
    since = datetime.now(UTC) - timedelta(days=7)  # runbook step 1: the outbox retention
    cheyou = platform.driver()
    try:
        staff = {name: await cheyou.staff(name) for name in ("admin", "ops1", "reviewer1")}

        # The no-fault run, to its end.
        baseline = await verified_member(cheyou, staff)
        issued = cheyou.policy_issued(baseline, 400_000)
        await cheyou.feed(staff["admin"], issued)
        await entitled_as(baseline, "ordinary")
        await cheyou.feed(
            staff["admin"], cheyou.policy_renewed(baseline, issued["data"]["policy_no"], 700_000)
        )

        async def finished() -> State | None:
            # Everything flow 1 brings, down to its last consequence (the renewal points and their
            # messages), so this state is final: the replay must leave it as it is.
            state = await member_end_state(cheyou, baseline)
            credits = [rule for direction, _, rule, _ in state["points"] if direction == "credit"]
            done = (
                state["tier"][0] == "three_star"
                and sorted(credits) == ["policy_renewal", "welcome"]
                and pushes(state)["entitlements_changed"] == state["wechat"]["TPL_ENTITLEMENTS_CHANGED"] == 2
                and pushes(state)["points_credited"] == state["wechat"]["TPL_POINTS_CREDITED"] == 2
                and pushes(state)["verification_outcome"] == 1
            )
            return state if done else None

        expected = await eventually(finished, within=90)

        # The faulty run: up to the renewal as above, the member told of their welcome points and
        # ordinary entitlements.
        member = await verified_member(cheyou, staff)
        issued = cheyou.policy_issued(member, 400_000)
        await cheyou.feed(staff["admin"], issued)

        async def told_of_ordinary() -> bool | None:
            state = await member_end_state(cheyou, member)
            told = (
                pushes(state)["entitlements_changed"] == state["wechat"]["TPL_ENTITLEMENTS_CHANGED"] == 1
                and pushes(state)["points_credited"] == state["wechat"]["TPL_POINTS_CREDITED"] == 1
            )
            return True if told and state["entitlements"][0] == "ordinary" else None

        await eventually(told_of_ordinary, within=60)
        # notify-svc goes down; the renewal is accepted and lifts the member to three stars, and every
        # outbox hands its events to the broker, where notify-svc's share waits for it.
        platform.processes.kill("notify-svc")
        await cheyou.feed(staff["admin"], cheyou.policy_renewed(member, issued["data"]["policy_no"], 700_000))
        await entitled_as(member, "three_star")
        drained = dict.fromkeys((service.name for service in SERVICES), 0)
        # Every running service's outbox: notify-svc's own (a delivery it recorded as it was killed) waits
        # for its return.
        running = {name: 0 for name in drained if name != "notify-svc"}

        async def unpublished_while_running() -> dict[str, int]:
            return {name: n for name, n in (await unpublished(platform)).items() if name in running}

        assert await until_equal(unpublished_while_running, running, within=60) == running

        # Tansu crashes and is started again: empty. The platform carries on with it (another customer
        # registers, and the relay publishes the news) until someone notices.
        broker = await asyncio.to_thread(platform.broker)
        await asyncio.to_thread(broker.kill)
        await asyncio.to_thread(broker.start)
        await cheyou.register(staff["ops1"])
        assert await until_equal(unpublished_while_running, running, within=60) == running

        # Runbook step 2: `make down`, then `make up`.
        await asyncio.to_thread(platform.down)
        await asyncio.to_thread(platform.up)
        assert await partition_counts(platform.infra.kafka_bootstrap) == dict(TOPICS)

        async def routed() -> bool | None:
            # A fresh gateway learns each service's routes from that service's document: until then a 503
            # with Retry-After (the launcher's readiness is each process's /readyz, not the routing table).
            # Every service the end state reads (member-svc, privilege-svc, notify-svc) must be routed.
            me = member.member_id
            for path in (f"/members/{me}/tier", f"/entitlements/{me}", f"/inbox/{me}"):
                if (await member.http.get(path)).status_code == 503:
                    return None
            return True

        await eventually(routed, within=30)
        lost = await member_end_state(cheyou, member)
        assert pushes(lost)["entitlements_changed"] == 1, "nothing was lost: the rehearsal proves nothing"

        # Runbook step 3: republish every outbox, with the runbook's own commands.
        replay = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-euo", "pipefail", "-c", runbook_replay_script(platform)],
            cwd=ROOT,
            env={**os.environ, "since": since.isoformat()},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert replay.returncode == 0, replay.stdout + replay.stderr
        assert "queued for replay" in replay.stdout, replay.stdout

        # Runbook step 4: every outbox drained, no consumer lagging.
        assert await until_equal(lambda: unpublished(platform), drained, within=60) == drained
        caught_up = dict.fromkeys((service.name for service in SERVICES), 0.0)
        assert await until_equal(consumer_lag, caught_up, within=60) == caught_up

        # The faulty member ends as the no-fault one; the no-fault one, replayed too, is unchanged.
        async def both() -> tuple[State, State]:
            return await member_end_state(cheyou, member), await member_end_state(cheyou, baseline)

        assert await until_equal(both, (expected, expected)) == (expected, expected)
    finally:
        await cheyou.aclose()
