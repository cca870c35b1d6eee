"""The short soak in `make test` (issue 19): a platform of its own (Postgres, Redis, broker, the six
services and the fakes), a few members' mixed day through the gateway while a few faults strike — a
service killed with SIGKILL and started again, the merchant's webhook receiver misbehaving, the broker
or Postgres crashed and restarted — then every invariant of the full soak (`make soak`) checked.

Robust on a loaded machine: every wait is generous and nothing asserts a duration.
"""

import logging
import os
import shutil
from pathlib import Path

import pytest
from cheyou_devinfra.pytest_plugin import temporary_state_dir
from cheyou_devinfra.soak.runner import Options, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def _broker() -> tuple[str, tuple[str, ...]]:
    """Apache Kafka when java and mvn are here (a broker restart keeps its log); on Tansu (topics in
    memory) the broker is not crashed: that needs the RUNBOOK's outbox replay (``test_tansu_recovery``)."""
    if shutil.which("java") and shutil.which("mvn") and os.environ.get("KAFKA_BROKER_KIND") != "tansu":
        return "apache-kafka", ("kill_service", "receiver", "broker", "postgres")
    return "tansu", ("kill_service", "receiver", "postgres")


async def test_a_short_soak_keeps_every_invariant_and_sees_redeliveries() -> None:
    broker, kinds = _broker()
    out = Path(temporary_state_dir("soak-short"))
    report = await run(
        Options(
            seed=1906,  # its first fault (its second on Tansu): the receiver answering 500 — redeliveries
            injections=4,
            duration_s=90,
            members=6,
            broker=broker,
            kinds=kinds,
            out=out,
            settle_s=600,
            concurrency=4,
        )
    )
    # The report is deleted on a pass and stays on the machine that ran it: what a CI log needs to tell a
    # slow or failed run apart (phase seconds, the faults and what was dead-lettered) goes in the output.
    summary = {
        key: report.get(key)
        for key in ("platform_start_s", "load_s", "settle", "settle_after_replay", "dlq", "fault_kinds")
    }
    summary["faults"] = [(f["started_s"], f["kind"], f["target"], f["detail"]) for f in report["faults"]]
    summary["load"] = report["machine"]
    logging.getLogger("cheyou.soak").warning("short soak: %s", summary)
    failed = {r["name"]: r["examples"] for r in report["invariants"] if not r["passed"]}
    assert not failed, f"{failed} (report: {out / 'report.md'}; {summary})"
    assert report["redeliveries_observed"] > 0, report["redeliveries"]
    assert report["workload"]["ledger"]["order"].get("acknowledged", 0) > 0, report["workload"]
    assert all(f["error"] is None for f in report["faults"]), report["faults"]
    shutil.rmtree(out, ignore_errors=True)
