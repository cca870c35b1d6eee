"""One soak: start the platform, set up, run the workload while the fault schedule is injected, stop the
load, let the platform settle, replay the DLQs if any, check every invariant, write the report."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import platform as host
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cheyou_devinfra.platform import ROOT
from cheyou_devinfra.soak.checks import Checks, Result
from cheyou_devinfra.soak.faults import Injector, Schedule
from cheyou_devinfra.soak.ledger import Ledger
from cheyou_devinfra.soak.platform import SoakPlatform, write_json
from cheyou_devinfra.soak.report import markdown
from cheyou_devinfra.soak.workload import Workload

log = logging.getLogger("cheyou.soak")


@dataclass(frozen=True)
class Options:
    seed: int = 19
    injections: int = 50
    duration_s: float = 900.0
    members: int = 30
    broker: str = "apache-kafka"
    kinds: tuple[str, ...] = ()
    out: Path = ROOT / ".dev" / "soak"
    settle_s: float = 900.0
    concurrency: int = 6


class DuplicateWatch:
    """Scrapes each service's ``cheyou_events_consumed{outcome="duplicate"}`` (events a consumer took
    again and its inbox absorbed) every few seconds; a counter that drops is a restarted process, whose
    last value is banked."""

    def __init__(self, platform: SoakPlatform) -> None:
        self.platform = platform
        self.banked: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def total(self) -> int:
        return int(sum(self.banked.values()) + sum(self.last.values()))

    async def scrape(self) -> None:
        async with httpx.AsyncClient(timeout=3) as http:
            for name, service in self.platform.services.items():
                try:
                    text = (await http.get(f"{service.url}/metrics")).text
                except httpx.HTTPError:
                    continue
                value = sum(
                    float(line.rsplit(" ", 1)[1])
                    for line in text.splitlines()
                    if line.startswith("cheyou_events_consumed_total{") and 'outcome="duplicate"' in line
                )
                if value < self.last.get(name, 0):
                    self.banked[name] = self.banked.get(name, 0) + self.last[name]
                self.last[name] = value

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.scrape()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 3)


async def settle(platform: SoakPlatform, within: float) -> dict[str, Any]:
    """Wait until nothing is on its way: outboxes published, webhook deliveries and notifications done,
    and the inboxes no longer growing (two looks 10 s apart)."""
    started = time.monotonic()
    last: tuple[int, ...] | None = None
    state: dict[str, Any] = {}
    while time.monotonic() - started < within:
        try:
            unpublished = 0
            inbox = 0
            for service in platform.services:
                unpublished += (
                    await platform.fetch(
                        service, "SELECT count(*) AS n FROM event_outbox WHERE published_at IS NULL"
                    )
                )[0]["n"]
                inbox += (await platform.fetch(service, "SELECT count(*) AS n FROM event_inbox"))[0]["n"]
            webhooks = (
                await platform.fetch(
                    "merchant-svc", "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'"
                )
            )[0]["n"]
            messages = (
                await platform.fetch(
                    "notify-svc",
                    "SELECT count(*) AS n FROM messages WHERE status IN ('pending', 'sending', 'unknown') "
                    "AND not_before < now() + interval '1 hour'",
                )
            )[0]["n"]
        except (OSError, Exception) as exc:  # Postgres coming back
            state = {"error": repr(exc)}
            await asyncio.sleep(3)
            continue
        state = {
            "unpublished": unpublished,
            "inbox_rows": inbox,
            "webhooks_pending": webhooks,
            "messages_pending": messages,
        }
        now = (unpublished, inbox, webhooks, messages)
        if unpublished == webhooks == messages == 0 and now == last:
            return {**state, "settled": True, "seconds": round(time.monotonic() - started)}
        last = now
        await asyncio.sleep(10)
    return {**state, "settled": False, "seconds": round(time.monotonic() - started)}


def _dlq_tool() -> Any:
    spec = importlib.util.spec_from_file_location("dlq_replay", ROOT / "deploy" / "dlq_replay.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def run(options: Options) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    state = options.out / f"state-{started_at:%Y%m%d-%H%M%S}"
    platform = SoakPlatform(state, options.broker)
    report: dict[str, Any] = {
        "seed": options.seed,
        "broker": options.broker,
        "started_at": started_at.isoformat(),
        "machine": {"host": host.node(), "cpus": os.cpu_count(), "load_before": os.getloadavg()},
        "options": {k: str(v) for k, v in asdict(options).items()},
    }
    t0 = time.monotonic()
    await asyncio.to_thread(platform.start)
    report["platform_start_s"] = round(time.monotonic() - t0)
    ledger = Ledger()
    workload = Workload(platform, ledger, options.seed, options.members, options.concurrency)
    schedule = Schedule.plan(options.seed, options.injections, options.duration_s, options.kinds)
    try:
        await workload.setup()
        injector = Injector(platform, workload.receiver, schedule)
        stop = asyncio.Event()
        flash, campaign = asyncio.Event(), asyncio.Event()
        watch = DuplicateWatch(platform)
        watcher = asyncio.create_task(watch.run(stop))
        load = asyncio.create_task(workload.run(stop, spread_s=options.duration_s * 0.7))

        async def at(event: asyncio.Event, action: Any) -> None:
            await event.wait()
            await action()

        flash_task = asyncio.create_task(at(flash, workload.flash_sale))
        campaign_task = asyncio.create_task(at(campaign, workload.campaign))
        await injector.run({0.4: flash, 0.7: campaign})
        report["faults_s"] = injector.now()
        stop.set()
        await asyncio.gather(flash_task, campaign_task)
        try:
            await asyncio.wait_for(load, timeout=options.settle_s)
        except TimeoutError:
            report["load_timed_out"] = True
        report["load_s"] = injector.now()
        report["settle"] = await settle(platform, options.settle_s)
        await watch.scrape()
        await watcher
        checks = Checks(platform, ledger, workload)
        results = await checks.all()
        dlq = getattr(checks, "dlq", {})
        report["dlq"] = {topic: len(rows) for topic, rows in dlq.items()}
        report["dlq_entries"] = dlq
        if dlq:
            tool = _dlq_tool()
            replayed = {}
            for topic in dlq:
                group = topic.removesuffix(".dlq")
                replayed[group] = await tool.replay(
                    platform.broker.url, group, execute=True, include_malformed=False, types=set()
                )
            report["dlq_replay"] = replayed
            report["settle_after_replay"] = await settle(platform, options.settle_s)
            results = await Checks(platform, ledger, workload).all()
        report["invariants"] = [asdict(r) for r in results]
        report["passed"] = all(r.passed for r in results)
        report["workload"] = {
            "members": len(workload.people),
            "members_failed": sum(1 for p in workload.people if p.failure),
            "counts": dict(sorted(workload.counts.items())),
            "ledger": ledger.counts(),
            "errors": workload.errors[:30],
        }
        report["faults"] = schedule.as_rows()
        report["fault_kinds"] = _kinds(schedule)
        report["redeliveries"] = {
            "webhook_redeliveries": workload.receiver.redeliveries,
            "consumer_duplicates_absorbed": watch.total(),
            "gateway_replays": sum(1 for w in ledger.writes if w.replayed),
            "client_retries_same_key": ledger.retries_same_key,
        }
        report["redeliveries_observed"] = (
            report["redeliveries"]["webhook_redeliveries"]
            + report["redeliveries"]["consumer_duplicates_absorbed"]
        )
        report["machine"]["load_after"] = os.getloadavg()
        report["finished_at"] = datetime.now(UTC).isoformat()
        write_json(options.out / "ledger.json", ledger.as_rows())
    finally:
        await workload.aclose()
        await asyncio.to_thread(platform.stop)
    write_json(options.out / "report.json", report)
    (options.out / "report.md").write_text(markdown(report))
    return report


def _kinds(schedule: Schedule) -> dict[str, int]:
    counts: dict[str, int] = {}
    for injection in schedule.injections:
        counts[injection.kind] = counts.get(injection.kind, 0) + 1
    return counts


def failed(results: list[Result]) -> list[str]:
    return [r.name for r in results if not r.passed]
